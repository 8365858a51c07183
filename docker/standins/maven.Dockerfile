# Stand-in for maven:3.9-eclipse-temurin-25: the Temurin stand-in + Apache Maven 3.9 from Maven Central.
ARG TEMURIN
FROM ${TEMURIN}
COPY maven /usr/share/maven
RUN ln -s /usr/share/maven/bin/mvn /usr/bin/mvn && mvn -v
ENV MAVEN_HOME=/usr/share/maven
