package io.containerdexporter.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.containerdexporter.containerd.api.services.containers.v1.Container;
import io.containerdexporter.model.ContainerInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A container's OCI spec is parsed once per version (updated_at), not once per poll. */
class ContainerMapperTest {

  private static Container container(String id, long updatedAt, String cgroupsPath) {
    String spec = "{\"ociVersion\":\"1.2.0\",\"linux\":{\"cgroupsPath\":\"" + cgroupsPath + "\"}}";
    return Container.newBuilder()
        .setId(id)
        .setImage("busybox")
        .setSpec(
            Any.newBuilder()
                .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Spec")
                .setValue(ByteString.copyFromUtf8(spec)))
        .setUpdatedAt(Timestamp.newBuilder().setSeconds(updatedAt))
        .build();
  }

  @Test
  void theSameVersionIsMappedOnceAndANewVersionAgain() {
    ContainerMapper mapper = new ContainerMapper();
    ContainerInfo first = mapper.map("default", container("web", 100, "/default/web"));
    assertSame(
        first, mapper.map("default", container("web", 100, "/default/web")), "not parsed again");
    ContainerInfo updated = mapper.map("default", container("web", 101, "/moved/web"));
    assertNotSame(first, updated);
    assertEquals("/moved/web", updated.cgroupsPath());
  }

  @Test
  void aListingForgetsWhatItNoLongerShowsAndNamespacesGoWhole() {
    ContainerMapper mapper = new ContainerMapper();
    ContainerInfo a = mapper.map("default", container("a", 1, "/default/a"));
    mapper.map("default", container("b", 1, "/default/b"));
    mapper.map("other", container("c", 1, "/other/c"));
    mapper.retain("default", List.of(a));
    assertEquals(2, mapper.size());
    mapper.retainNamespaces(List.of("default"));
    assertEquals(1, mapper.size());
  }
}
