# Stand-in for eclipse-temurin:25-jre-noble: Debian (not Ubuntu noble) + this machine's Temurin 25
# JDK at the official image's path, trusting the machine's certificate authorities.
ARG DEBIAN
FROM ${DEBIAN}
COPY jdk /opt/java/openjdk
COPY java-cacerts /opt/java/openjdk/lib/security/cacerts
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH
RUN java -version
