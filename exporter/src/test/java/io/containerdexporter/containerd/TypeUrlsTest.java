package io.containerdexporter.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import org.junit.jupiter.api.Test;

class TypeUrlsTest {

  @Test
  void containerdUrlsHaveNoHostPrefix() {
    Any bare = Any.newBuilder().setTypeUrl("google.protobuf.Empty").build();
    assertEquals("google.protobuf.Empty", TypeUrls.typeName(bare));
    assertTrue(TypeUrls.is(bare, Empty.getDescriptor()));
  }

  @Test
  void standardUrlsStillWork() {
    Any prefixed = Any.pack(Empty.getDefaultInstance());
    assertEquals("google.protobuf.Empty", TypeUrls.typeName(prefixed));
    assertTrue(TypeUrls.is(prefixed, Empty.getDescriptor()));
    assertFalse(
        TypeUrls.is(
            Any.newBuilder().setTypeUrl("containerd.events.TaskOOM").build(),
            Empty.getDescriptor()));
  }
}
