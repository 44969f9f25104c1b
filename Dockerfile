# containerd-exporter: a Maven build stage, then a jlink'd JRE of just the modules the exporter uses, on a small base.
#   podman build -t containerd-exporter .      (or docker build; the build stage needs Maven Central)
# The base images are build args so a build without a public registry can name local stand-ins (ImageIT does).
ARG BUILD_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
# Extra Maven arguments, e.g. -o when a local repository is mounted at /root/.m2.
ARG MAVEN_ARGS=""
ARG BUILD_REVISION=unknown
WORKDIR /src
COPY pom.xml ./
COPY testkit/pom.xml testkit/
COPY exporter/pom.xml exporter/
COPY testkit/src/main testkit/src/main
COPY exporter/src/main exporter/src/main
RUN mvn -B -ntp ${MAVEN_ARGS} -pl exporter -am -Dmaven.test.skip=true -Dbuild.revision=${BUILD_REVISION} package \
 && cp exporter/target/containerd-exporter.jar /containerd-exporter.jar
# The runtime: the modules jdeps finds in the fat jar, plus what is only reached reflectively (JVM metrics'
# com.sun.management, TLS with EC keys for --web.config.file). --generate-cds-archive writes the JDK's default CDS
# archive into the runtime (docs/image.md: about 20 % off the start-up); the archive for heaps over 32 GiB
# (classes_nocoops.jsa, 11 MB) goes: only a JVM without a memory limit on a node of over 64 GiB would use it.
RUN modules=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 /containerd-exporter.jar) \
 && jlink --add-modules "${modules},jdk.management,jdk.crypto.ec,jdk.unsupported" \
      --strip-java-debug-attributes --no-man-pages --no-header-files --compress=2 --generate-cds-archive \
      --output /jre \
 && rm /jre/lib/server/classes_nocoops.jsa \
 && /jre/bin/java --list-modules

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0-SNAPSHOT
ARG BUILD_REVISION=unknown
LABEL org.opencontainers.image.title="containerd-exporter" \
      org.opencontainers.image.description="Prometheus exporter for containerd: events, inventory, cAdvisor-compatible cgroup stats" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${BUILD_REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/containerd-exporter/containerd-exporter"
COPY --from=build /jre /opt/java
COPY --from=build /containerd-exporter.jar /opt/containerd-exporter/containerd-exporter.jar
COPY image/jvm.options /opt/containerd-exporter/jvm.options
# Application class data sharing: a training run writes the classes the exporter loads to app.jsa, which the JVM
# then maps instead of parsing the jar (docs/image.md: ~10 MiB less RSS, a faster start). It needs this runtime and
# this jar, so it is made here; a JVM that finds it invalid loads from the jar as before (with one warning line).
COPY image/cds-training /tmp/cds-training
RUN /tmp/cds-training /opt/java/bin/java /opt/containerd-exporter/jvm.options \
      /opt/containerd-exporter/containerd-exporter.jar /opt/containerd-exporter/app.jsa \
 && rm -rf /tmp/*
# Not root by default. Reading containerd's socket needs its owner (root) or its group (containerd's [grpc] gid):
# the Helm chart runs uid 0 with every capability dropped, or this user with the socket's group (containerd.socketGroup).
USER 65532:65532
EXPOSE 9338
# The JVM flags live in jvm.options (an @argfile: no "Picked up ..." line on stderr, unlike JAVA_TOOL_OPTIONS).
# Everything the JVM and its libraries unpack goes to /tmp, so a read-only root filesystem with a writable /tmp works.
# glibc gives each thread that mallocs an arena of its own, up to 8 per core: two serve the JVM's few native
# allocators (zlib, NIO, JNA).
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["/opt/java/bin/java", "@/opt/containerd-exporter/jvm.options", \
  "-XX:SharedArchiveFile=/opt/containerd-exporter/app.jsa", "-jar", "/opt/containerd-exporter/containerd-exporter.jar"]
