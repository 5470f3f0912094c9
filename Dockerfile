# The applications' images, one build target each, all from the installation the Maven build unpacks
# (distribution/target/liftline: the tarball's bin/, lib/, conf/). scripts/images builds every target as
# liftline-TARGET:VERSION (the names the compose files use), with docker or buildah; by hand:
#   ./mvnw -B -DskipTests package
#   docker build --target producer -t liftline-producer:0.1.0-SNAPSHOT .
# Each image runs its bin/ launcher as an unprivileged user, so the launcher's JVM options apply
# (LIFTLINE_JAVA_OPTS replaces them) and every LIFTLINE_* variable works as documented.
# JRE_IMAGE: any image with a Java 17+ `java` on PATH or in JAVA_HOME and groupadd/useradd (Debian or Ubuntu based);
# scripts/images --debian-jre makes one from Debian's packages where no registry is reachable.
ARG JRE_IMAGE=eclipse-temurin:17-jre
FROM ${JRE_IMAGE} AS base
RUN groupadd --system liftline && useradd --system --gid liftline --no-create-home --home-dir /opt/liftline liftline
COPY distribution/target/liftline/ /opt/liftline/
ENV PATH=/opt/liftline/bin:$PATH
WORKDIR /opt/liftline
USER liftline

FROM base AS producer
EXPOSE 8080 8443 9090
ENTRYPOINT ["liftline-producer"]

FROM base AS consumer
EXPOSE 9091
ENTRYPOINT ["liftline-consumer"]

FROM base AS query-api
EXPOSE 8081 9092
ENTRYPOINT ["liftline-query-api"]

FROM base AS simulator
ENTRYPOINT ["liftline-simulator"]

FROM base AS ops
ENTRYPOINT ["liftline-ops"]
