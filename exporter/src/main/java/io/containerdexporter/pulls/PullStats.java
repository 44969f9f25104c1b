package io.containerdexporter.pulls;

import io.containerdexporter.model.RecentEvent;
import io.containerdexporter.model.RecentEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The counters every pull source feeds (the log follower, the event path, containerd's own metrics)
 * and {@link PullMetrics} renders. Every map is bounded: repositories beyond {@code
 * maxRepositories} fold into {@code repository="other"}, pulls still open are capped and expire.
 * One lock, held only for map updates and the scrape's copy, never across I/O.
 */
public final class PullStats {

  /** The containerd namespace of every CRI pull (the only pulls containerd itself does). */
  public static final String CRI_NAMESPACE = "k8s.io";

  /** Where a success was seen: a pull seen by both the log and the event stream counts once. */
  public enum Source {
    LOG,
    EVENT
  }

  /** Upper bounds of the duration histogram: a pull takes from a second to tens of minutes. */
  static final double[] DURATION_BOUNDS = {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};

  /** A pull still open after this long lost its end (containerd died mid-pull): forget it. */
  static final Duration OPEN_PULL_EXPIRY = Duration.ofHours(1);

  static final int MAX_OPEN_PULLS = 1000;

  /** Two sources reporting one pull's success do so within this window. */
  static final Duration SAME_PULL_WINDOW = Duration.ofSeconds(30);

  /** The series key of a pull: its containerd namespace and where the image comes from. */
  public record Key(String containerdNamespace, String registry, String repository)
      implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = containerdNamespace.compareTo(o.containerdNamespace);
      c = c != 0 ? c : registry.compareTo(o.registry);
      return c != 0 ? c : repository.compareTo(o.repository);
    }
  }

  /** A failure series key. */
  public record FailureKey(Key pull, PullFailureReason reason) implements Comparable<FailureKey> {
    @Override
    public int compareTo(FailureKey o) {
      int c = pull.compareTo(o.pull);
      return c != 0 ? c : reason.compareTo(o.reason);
    }
  }

  /** Non-cumulative bucket counts (the last is +Inf), with the sum. */
  public record Histogram(long[] counts, double sum) {}

  /** What a scrape renders; a copy. */
  public record View(
      Map<Key, Long> successes,
      Map<FailureKey, Long> failures,
      Map<String, Histogram> successDurations,
      Map<String, Histogram> failureDurations,
      Map<String, Long> inProgress,
      long folded,
      Map<ContainerdLogLine.Result, Long> logLines,
      boolean logSourceActive) {}

  private record LastSuccess(Source source, Instant at) {}

  private final int maxRepositories;
  private final Set<String> repositories = new HashSet<>();
  private final Map<Key, Long> successes = new HashMap<>();
  private final Map<FailureKey, Long> failures = new HashMap<>();
  private final Map<String, Histogram> successDurations = new HashMap<>();
  private final Map<String, Histogram> failureDurations = new HashMap<>();
  private final Map<String, Deque<Instant>> openPulls = new HashMap<>();
  private final Map<String, LastSuccess> lastSuccess = new HashMap<>();
  private final Set<ImageRepository> stalled = new HashSet<>();
  private final Map<ContainerdLogLine.Result, Long> logLines =
      new EnumMap<>(ContainerdLogLine.Result.class);
  private int openCount;
  private long folded;
  private boolean logSourceActive;
  private Optional<Double> nodeInProgress = Optional.empty();

  public PullStats(int maxRepositories) {
    if (maxRepositories < 1) {
      throw new IllegalArgumentException("maxRepositories must be at least 1");
    }
    this.maxRepositories = maxRepositories;
  }

  /** A log source runs: its line counters are shown (at 0 before the first line). */
  private final RecentEvents recentFailures = new RecentEvents();

  /** The last failed pulls, newest first (their own lock: the page reads them without ours). */
  public List<RecentEvent> recentFailures() {
    return recentFailures.list();
  }

  public synchronized void logSourceStarted() {
    logSourceActive = true;
  }

  /** Counts one log line and applies what it says. */
  public synchronized void logLine(ContainerdLogLine.Outcome outcome) {
    logLines.merge(outcome.result(), 1L, Long::sum);
    outcome.record().ifPresent(this::apply);
  }

  private void apply(PullRecord record) {
    expireOpenPulls(record.at());
    if (record instanceof PullRecord.Started s) {
      open(s.reference(), s.at());
    } else if (record instanceof PullRecord.Succeeded s) {
      close(s.reference()).ifPresent(t -> observe(successDurations, t, s.at()));
      success(CRI_NAMESPACE, s.reference(), Source.LOG, s.at());
    } else if (record instanceof PullRecord.Failed f) {
      close(f.reference()).ifPresent(t -> observe(failureDurations, t, f.at()));
      // CRI cancels a pull without progress and logs that first; the failure then says "canceled".
      PullFailureReason reason =
          stalled.remove(ImageRepository.parse(f.reference()))
              ? PullFailureReason.TIMEOUT
              : PullFailureReason.classify(f.error());
      failures.merge(new FailureKey(key(CRI_NAMESPACE, f.reference()), reason), 1L, Long::sum);
      recentFailures.add(
          new RecentEvent(
              f.at().toString(),
              CRI_NAMESPACE,
              "",
              "",
              f.reference(),
              "",
              reason.label() + ": " + f.error(),
              false));
    } else if (record instanceof PullRecord.Stalled s && stalled.size() < MAX_OPEN_PULLS) {
      stalled.add(ImageRepository.parse(s.reference()));
    }
  }

  private void success(String namespace, String reference, Source source, Instant at) {
    String id = namespace + "\u0000" + reference;
    LastSuccess last = lastSuccess.get(id);
    if (last != null
        && last.source() != source
        && Duration.between(last.at(), at).abs().compareTo(SAME_PULL_WINDOW) <= 0) {
      // The other source already counted this pull; pair them so a third report counts again.
      lastSuccess.remove(id);
      return;
    }
    lastSuccess.put(id, new LastSuccess(source, at));
    lastSuccess
        .values()
        .removeIf(l -> Duration.between(l.at(), at).compareTo(SAME_PULL_WINDOW) > 0);
    successes.merge(key(namespace, reference), 1L, Long::sum);
  }

  /** The label CRI puts on the image records of the pulls it made. */
  static final String CRI_MANAGED_LABEL = "io.cri-containerd.image";

  /**
   * An {@code /images/create} event: CRI creates three records per pull (the tag, the image id
   * {@code sha256:…} and the digest reference {@code name@sha256:…}); only the tag is a pull.
   */
  public synchronized void imageCreated(
      String containerdNamespace, String name, Map<String, String> labels, Instant at) {
    if ("managed".equals(labels.get(CRI_MANAGED_LABEL))
        && !name.startsWith("sha256:")
        && !name.contains("@")) {
      success(containerdNamespace, name, Source.EVENT, at);
    }
  }

  /** containerd's own count of pulls in flight (its /v1/metrics, 1.7+), preferred to the log's. */
  public synchronized void nodeInProgress(Optional<Double> value) {
    nodeInProgress = value;
  }

  private void open(String reference, Instant at) {
    if (openCount >= MAX_OPEN_PULLS) {
      return;
    }
    openPulls.computeIfAbsent(reference, r -> new ArrayDeque<>()).addLast(at);
    openCount++;
  }

  private Optional<Instant> close(String reference) {
    Deque<Instant> starts = openPulls.get(reference);
    if (starts == null) {
      return Optional.empty();
    }
    Instant first = starts.pollFirst();
    openCount--;
    if (starts.isEmpty()) {
      openPulls.remove(reference);
    }
    return Optional.of(first);
  }

  private void expireOpenPulls(Instant now) {
    Instant cutoff = now.minus(OPEN_PULL_EXPIRY);
    for (Iterator<Deque<Instant>> it = openPulls.values().iterator(); it.hasNext(); ) {
      Deque<Instant> starts = it.next();
      while (!starts.isEmpty() && starts.peekFirst().isBefore(cutoff)) {
        starts.pollFirst();
        openCount--;
      }
      if (starts.isEmpty()) {
        it.remove();
      }
    }
  }

  private static void observe(Map<String, Histogram> histograms, Instant start, Instant end) {
    double seconds = Math.max(0, Duration.between(start, end).toNanos() / 1e9);
    Histogram h =
        histograms.getOrDefault(
            CRI_NAMESPACE, new Histogram(new long[DURATION_BOUNDS.length + 1], 0));
    long[] counts = h.counts().clone();
    int bucket = 0;
    while (bucket < DURATION_BOUNDS.length && seconds > DURATION_BOUNDS[bucket]) {
      bucket++;
    }
    counts[bucket]++;
    histograms.put(CRI_NAMESPACE, new Histogram(counts, h.sum() + seconds));
  }

  /** The series key, with the repository folded into "other" once the cap is reached. */
  private Key key(String namespace, String reference) {
    ImageRepository repo = ImageRepository.parse(reference);
    String id = repo.registry() + "/" + repo.repository();
    if (!repositories.contains(id)) {
      if (repositories.size() >= maxRepositories) {
        folded++;
        return new Key(namespace, repo.registry(), "other");
      }
      repositories.add(id);
    }
    return new Key(namespace, repo.registry(), repo.repository());
  }

  public synchronized View view() {
    Map<String, Long> inProgress = new TreeMap<>();
    if (nodeInProgress.isPresent()) {
      inProgress.put(CRI_NAMESPACE, Math.round(nodeInProgress.get()));
    } else if (logSourceActive) {
      inProgress.put(CRI_NAMESPACE, (long) openCount);
    }
    Map<ContainerdLogLine.Result, Long> lines = new EnumMap<>(ContainerdLogLine.Result.class);
    for (ContainerdLogLine.Result r : List.of(ContainerdLogLine.Result.values())) {
      lines.put(r, logLines.getOrDefault(r, 0L));
    }
    return new View(
        new TreeMap<>(successes),
        new TreeMap<>(failures),
        new TreeMap<>(successDurations),
        new TreeMap<>(failureDurations),
        inProgress,
        folded,
        lines,
        logSourceActive);
  }
}
