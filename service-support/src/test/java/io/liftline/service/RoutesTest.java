package io.liftline.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutesTest {

    private static final Routes<String> ROUTES = new Routes<String>(r -> r, "GET", "HEAD")
            .add("/resorts/{resortID}/seasons/{seasonID}/day/{dayID}/skiers", "day")
            .add("/resorts/{resortID}/seasons/{seasonID}/top-skiers", "season")
            .add("/skiers/{skierID}/vertical", "vertical");

    @Test
    void aPathMatchesItsTemplateAndHandsOverItsValuesByName() {
        Routes.Match<String> match = ROUTES.match("/resorts/3/seasons/2025/day/17/skiers");

        assertThat(match.route()).isEqualTo("day");
        assertThat(match.values()).isEqualTo(Map.of("resortID", "3", "seasonID", "2025", "dayID", "17"));
        assertThat(ROUTES.match("/resorts/3/seasons/2025/top-skiers").route()).isEqualTo("season");
        assertThat(ROUTES.match("/skiers/-1/vertical").values().get("skierID")).isEqualTo("-1");
    }

    @Test
    void aValueIsHandedOverAsTextForTheIdParserToJudge() {
        assertThat(ROUTES.match("/skiers/abc/vertical").values().get("skierID")).isEqualTo("abc");
        assertThat(ROUTES.match("/skiers/1.5/vertical").values().get("skierID")).isEqualTo("1.5");
    }

    @Test
    void aPathOfAnotherShapeIsNoRoute() {
        assertThat(ROUTES.match("/")).isNull();
        assertThat(ROUTES.match("/skiers/7/vertical/")).isNull();
        assertThat(ROUTES.match("/skiers//vertical")).isNull();
        assertThat(ROUTES.match("/skiers/7/vertical/extra")).isNull();
        assertThat(ROUTES.match("/resorts/3/seasons/2025/day/17")).isNull();
    }

    @Test
    void theNotFoundMessageNamesThePathAndEveryRoute() {
        assertThat(ROUTES.notFoundMessage("/nowhere"))
                .isEqualTo("no such resource: /nowhere (GET /resorts/{resortID}/seasons/{seasonID}/day/{dayID}/skiers, "
                        + "/resorts/{resortID}/seasons/{seasonID}/top-skiers, /skiers/{skierID}/vertical)");
    }
}
