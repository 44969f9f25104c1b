package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.cgroup.CgroupStats.Pressure;
import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random bytes, random near-cgroup text and random mutations of the real fixture files, thrown at
 * every parser with a fixed seed: a parser returns or throws {@link MalformedCgroupFileException},
 * nothing else, and what it returns is sane (no negative counts, finite seconds). The readers get
 * the same treatment end to end.
 */
class CgroupParsersFuzzTest {

  private static final long SEED = Long.getLong("fuzz.seed", 0x5EED_C6_2024L);
  // the default suite's bound; -Dfuzz.iterations=N runs longer
  private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 3000);

  /** Each parser under its contract, plus the invariants of what it returns. */
  private static final Map<String, Parser> PARSERS =
      Map.of(
          "value", text -> checkCount(CgroupParsers.parseValue(text)),
          "limit", text -> checkCount(CgroupParsers.parseLimit(text)),
          "cpuMaxPeriod", text -> checkCount(CgroupParsers.parseCpuMaxPeriod(text)),
          "flatKeyed",
              text ->
                  CgroupParsers.parseFlatKeyed(text).values().values().forEach(v -> checkCount(v)),
          "blkio", text -> CgroupParsers.parseBlkio(text).forEach(e -> checkCount(e.value())),
          "ioStat",
              text -> CgroupParsers.parseIoStat(text).forEach(CgroupParsersFuzzTest::checkDevice),
          "pressure", text -> checkPressure(CgroupParsers.parsePressure(text)),
          "processes", text -> checkCount(CgroupParsers.countProcesses(text)),
          "devName",
              text ->
                  BlockDevices.parseDevName(text)
                      .ifPresent(n -> assertTrue(!n.isEmpty() && n.length() <= 128)));

  @FunctionalInterface
  interface Parser {
    void parse(String text) throws MalformedCgroupFileException;
  }

  private static final String ALPHABET =
      "0123456789012345678901234567890123456789 \n\n\n:=-.+_maxTotalReadWritesomefull"
          + "avg10=total=rbytes=wios=DEVNAME=\t\r\u0000\u00ff";

  @Test
  void randomBytes() {
    Random random = new Random(SEED);
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] bytes = new byte[random.nextInt(300)];
      random.nextBytes(bytes);
      inputs.add(new String(bytes, StandardCharsets.ISO_8859_1));
    }
    assertContract(inputs);
  }

  @Test
  void randomNearCgroupText() {
    Random random = new Random(SEED + 1);
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < ITERATIONS; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(120);
      for (int j = 0; j < length; j++) {
        s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      inputs.add(s.toString());
    }
    assertContract(inputs);
  }

  @Test
  void mutationsOfRealFixtureFiles() throws IOException {
    List<String> originals = fixtureFiles();
    assertTrue(originals.size() > 50, "fixtures found: " + originals.size());
    // The originals themselves: everything the kernel writes must parse without surprises.
    assertContract(originals);
    Random random = new Random(SEED + 2);
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < ITERATIONS; i++) {
      String text = originals.get(random.nextInt(originals.size()));
      int mutations = 1 + random.nextInt(3);
      for (int m = 0; m < mutations; m++) {
        text = mutate(text, random);
      }
      inputs.add(text);
    }
    assertContract(inputs);
  }

  @Test
  void readersOverMutatedTreesNeverThrow(@TempDir Path tmp) throws IOException {
    Random random = new Random(SEED + 3);
    Map<String, String> trees =
        Map.of(
            "v1",
            CgroupFixtures.V1_C1,
            "hybrid",
            CgroupFixtures.HYBRID_SCOPE,
            "v2-systemd",
            CgroupFixtures.V2_SCOPE);
    ReadErrors errors = CgroupFixtures.readErrors();
    for (Map.Entry<String, String> tree : trees.entrySet()) {
      Path root = CgroupFixtures.copy(tree.getKey(), tmp.resolve(tree.getKey()));
      List<Path> files = regularFiles(root);
      List<String> contents = new ArrayList<>();
      for (Path f : files) {
        contents.add(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
      CgroupReader reader = CgroupReaders.detect(root, errors, CgroupFixtures.readFailures());
      for (int i = 0; i < 150; i++) {
        for (int f = 0; f < files.size(); f++) {
          String text = random.nextInt(3) == 0 ? mutate(contents.get(f), random) : contents.get(f);
          Files.writeString(
              files.get(f),
              text,
              StandardCharsets.UTF_8); // non-Latin-1 mutations become multi-byte junk
        }
        CgroupStats stats = reader.read(tree.getValue()).stats().orElseThrow();
        stats.io().forEach(CgroupParsersFuzzTest::checkDevice);
        stats
            .memoryWorkingSetBytes()
            .ifPresent(w -> assertTrue(w >= 0 && w <= stats.memoryUsageBytes().orElseThrow()));
      }
    }
    assertTrue(errors.snapshot().values().stream().mapToLong(Long::longValue).sum() > 0);
    errors.snapshot().keySet().forEach(label -> assertTrue(!label.contains("/"), label));
  }

  @Test
  void parsersAreDeterministic() throws IOException {
    for (String text : fixtureFiles()) {
      assertEquals(CgroupParsers.parseFlatKeyed(text), CgroupParsers.parseFlatKeyed(text));
    }
  }

  private static void assertContract(List<String> inputs) {
    for (String input : inputs) {
      for (Map.Entry<String, Parser> parser : PARSERS.entrySet()) {
        try {
          parser.getValue().parse(input);
        } catch (MalformedCgroupFileException expected) {
          // the contract
        } catch (RuntimeException | AssertionError e) {
          fail(
              parser.getKey()
                  + " broke its contract on "
                  + CgroupParsers.abbreviate(input)
                  + " (length "
                  + input.length()
                  + ")",
              e);
        }
      }
    }
  }

  private static String mutate(String text, Random random) {
    int at = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
    switch (random.nextInt(9)) {
      case 0:
        return text.substring(0, at); // cut short
      case 1:
        return at < text.length()
            ? text.substring(0, at) + text.substring(at + 1)
            : text; // drop a char
      case 2:
        return text.substring(0, at)
            + ALPHABET.charAt(random.nextInt(ALPHABET.length()))
            + text.substring(at);
      case 3:
        return text.substring(0, at) + "99999999999999999999" + text.substring(at); // huge
      case 4:
        return text.substring(0, at) + "-" + text.substring(at); // negative
      case 5:
        return text + text; // every key twice
      case 6:
        return text.replace("\n", random.nextBoolean() ? " \n" : "\n\n");
      case 7:
        return text.substring(0, at) + "max" + text.substring(at);
      default:
        return text.substring(0, at) + (char) random.nextInt(0x3000) + text.substring(at);
    }
  }

  private static List<String> fixtureFiles() throws IOException {
    List<String> texts = new ArrayList<>();
    for (Path f : regularFiles(CgroupFixtures.tree("").toAbsolutePath())) {
      texts.add(Files.readString(f, StandardCharsets.ISO_8859_1));
    }
    return texts;
  }

  private static List<Path> regularFiles(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths
          .filter(
              p ->
                  Files.isRegularFile(p)
                      && !Files.isSymbolicLink(p)
                      && !p.getFileName().toString().endsWith(".md"))
          .sorted()
          .toList();
    }
  }

  private static void checkCount(long value) {
    assertTrue(value >= 0, "negative: " + value);
  }

  private static void checkDevice(DeviceIo io) {
    assertTrue(
        io.major() >= 0
            && io.minor() >= 0
            && io.readBytes() >= 0
            && io.writeBytes() >= 0
            && io.reads() >= 0
            && io.writes() >= 0,
        io.toString());
  }

  private static void checkPressure(Pressure p) {
    assertTrue(Double.isFinite(p.someSeconds()) && p.someSeconds() >= 0, p.toString());
    p.fullSeconds().ifPresent(f -> assertTrue(Double.isFinite(f) && f >= 0, p.toString()));
  }
}
