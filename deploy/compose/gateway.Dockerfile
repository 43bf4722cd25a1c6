# The Tandem gateway for docker-compose. Build context: the repository root.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Every module's pom: Maven reads the whole reactor even when building one module.
COPY pom.xml ./
COPY config/pom.xml config/
COPY gateway/pom.xml gateway/
COPY integration-tests/pom.xml integration-tests/
COPY config/src config/src
COPY gateway/src gateway/src
RUN mvn -B -q -DskipTests package -pl gateway -am

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 tandem
COPY --from=build /src/gateway/target/tandem-gateway.jar /opt/tandem/tandem-gateway.jar
COPY deploy/compose/tandem.conf /etc/tandem/tandem.conf
USER tandem
EXPOSE 8080 8081
ENTRYPOINT ["java", "-jar", "/opt/tandem/tandem-gateway.jar"]
CMD ["--config", "/etc/tandem/tandem.conf"]
