package io.containerdexporter.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.model.ContainerInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The index is written by round listings and event deltas; a listing never undoes an event newer
 * than it.
 */
class ContainerIndexTest {

  private final ContainerIndex index = new ContainerIndex();

  private static ContainerInfo c(String namespace, String id) {
    return ContainerInfo.fromCreateEvent(namespace, id, "busybox", "io.containerd.runc.v2");
  }

  @Test
  void aRoundIsTheTruthForWhatWasWrittenBeforeItListed() {
    index.put(c("default", "old"));
    long mark = index.mark();
    index.applyRound(mark, Set.of("default"), Map.of("default", List.of(c("default", "listed"))));
    assertFalse(index.contains("default", "old"), "gone from the listing, not touched since: gone");
    assertTrue(index.contains("default", "listed"));
  }

  @Test
  void aContainerCreatedByAnEventDuringTheListingIsNotDropped() {
    long mark = index.mark(); // the round starts listing
    index.put(c("default", "born")); // /containers/create arrives while the listing is under way
    index.applyRound(mark, Set.of("default"), Map.of("default", List.of()));
    assertTrue(index.contains("default", "born"));
  }

  @Test
  void aContainerDeletedByAnEventDuringTheListingIsNotResurrected() {
    index.put(c("default", "doomed"));
    long mark = index.mark();
    index.remove("default", "doomed"); // /containers/delete arrives after the listing saw it
    index.applyRound(mark, Set.of("default"), Map.of("default", List.of(c("default", "doomed"))));
    assertFalse(index.contains("default", "doomed"));
    assertEquals(1, index.size(), "a tombstone, until a round that began after the deletion");

    index.applyRound(index.mark(), Set.of("default"), Map.of("default", List.of()));
    assertEquals(0, index.size(), "the next round lists without it: the tombstone goes");
  }

  @Test
  void anEventUpdateDuringTheListingWinsOverTheListedVersion() {
    index.put(c("default", "web"));
    long mark = index.mark();
    ContainerInfo updated =
        new ContainerInfo(
            "default",
            "web",
            "nginx:2",
            Map.of("app", "v2"),
            "runc",
            "",
            "",
            java.time.Instant.EPOCH,
            "",
            Map.of(),
            io.containerdexporter.model.SpecResources.NONE,
            io.containerdexporter.model.NetworkNamespace.UNKNOWN);
    index.put(updated);
    index.applyRound(mark, Set.of("default"), Map.of("default", List.of(c("default", "web"))));
    assertEquals("nginx:2", index.get("default", "web").orElseThrow().image());
  }

  @Test
  void namespacesThatAreGoneOrUnwatchedGoWithTheirContainers() {
    index.applyRound(
        index.mark(),
        Set.of("a", "b"),
        Map.of("a", List.of(c("a", "1")), "b", List.of(c("b", "2"))));
    index.applyRound(index.mark(), Set.of("a"), Map.of("a", List.of(c("a", "1"))));
    assertTrue(index.contains("a", "1"));
    assertFalse(index.contains("b", "2"));
    assertEquals(1, index.size());
  }
}
