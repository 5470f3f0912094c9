package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoClientSettings;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StoreSettingsTest {

    @Test
    void writesAreAcknowledgedByAMajorityAndJournaledUnlessTheUriSaysOtherwise() {
        MongoClientSettings defaults = ConsumerApp.storeSettings("mongodb://db1,db2,db3/?replicaSet=rs0");
        assertThat(defaults.getWriteConcern().getWObject()).isEqualTo("majority");
        assertThat(defaults.getWriteConcern().getJournal()).isTrue();
        assertThat(defaults.getWriteConcern().getWTimeout(TimeUnit.SECONDS)).isEqualTo(10);
        assertThat(defaults.getRetryWrites())
                .as("the driver retries a write once after a failover")
                .isTrue();

        MongoClientSettings relaxed = ConsumerApp.storeSettings("mongodb://db1/?w=1");
        assertThat(relaxed.getWriteConcern()).isEqualTo(WriteConcern.W1);
    }

    @Test
    void readsGoToThePrimaryEvenWhereTheUriAsksForASecondary() {
        MongoClientSettings settings =
                ConsumerApp.storeSettings("mongodb://db1,db2,db3/?replicaSet=rs0&readPreference=secondaryPreferred");
        assertThat(settings.getReadPreference())
                .as("the worker reads back its own writes")
                .isEqualTo(ReadPreference.primary());
    }
}
