# The applications' images, one build target each, all from the installation the Maven build unpacks
# (distribution/target/liftline: the tarball's bin/, lib/, conf/). Build the jars first, then for example:
#   mvn -B -DskipTests package
#   docker build --target producer -t liftline-producer:0.1.0-SNAPSHOT .
# rabbitmq/docker-compose.yml builds them all. Each image runs its bin/ launcher as an unprivileged user, so the
# launcher's JVM options apply (LIFTLINE_JAVA_OPTS replaces them) and every LIFTLINE_* variable works as documented.
FROM eclipse-temurin:17-jre AS base
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
