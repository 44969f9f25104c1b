package io.containerdexporter.pulls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tail -F semantics, stepped by hand (no thread, no sleeping): from the end at start, across
 * truncation, rename and a new file, with a line cut by the rotation and an endless line counted
 * malformed and never buffered whole.
 */
class LogFileFollowerTest {

  @TempDir Path dir;

  private final List<String> lines = new ArrayList<>();
  private int malformed;
  private final byte[] buffer = new byte[4096];

  private final LineAssembler.Sink sink =
      new LineAssembler.Sink() {
        @Override
        public void line(String line) {
          lines.add(line);
        }

        @Override
        public void malformed() {
          malformed++;
        }
      };

  private void append(Path file, String text) throws IOException {
    Files.writeString(
        file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Test
  void followsFromTheEndAcrossTruncationRenameAndANewFile() throws IOException {
    Path log = dir.resolve("containerd.log");
    append(log, "old 1\nold 2\n");
    LogFileFollower f = new LogFileFollower(log, Duration.ofMillis(1), sink);
    f.openAtEnd();
    f.step(buffer);
    assertEquals(List.of(), lines, "lines from before the start are never counted");

    append(log, "a\nb");
    f.step(buffer);
    assertEquals(List.of("a"), lines, "a line without its newline waits");
    append(log, "c\n");
    f.step(buffer);
    assertEquals(List.of("a", "bc"), lines);

    // copytruncate: a partial line is lost with the old content; the new content is read from 0.
    append(log, "cut-by-rotation");
    Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
    append(log, "after truncate\n");
    f.step(buffer);
    assertEquals(List.of("a", "bc", "after truncate"), lines.subList(0, 3));

    // rename-rotation, then a new file: the rest of the old one is read first.
    append(log, "last of old\npartial");
    Files.move(log, dir.resolve("containerd.log.1"));
    f.step(buffer);
    append(log, "first of new\n");
    f.step(buffer);
    f.step(buffer);
    assertEquals(
        List.of("a", "bc", "after truncate", "last of old", "first of new"),
        lines.stream().filter(l -> !l.contains("cut")).toList());
    assertEquals(1, malformed, "the line 'partial', cut by the rename");
    f.close();
  }

  @Test
  void aFileThatAppearsLaterIsReadFromItsStart() throws IOException {
    Path log = dir.resolve("later.log");
    LogFileFollower f = new LogFileFollower(log, Duration.ofMillis(1), sink);
    f.openAtEnd();
    f.step(buffer);
    append(log, "one\ntwo\n");
    f.step(buffer);
    assertEquals(List.of("one", "two"), lines);
    f.close();
  }

  @Test
  void anEndlessLineIsDroppedWithBoundedMemory() throws IOException {
    Path log = dir.resolve("huge.log");
    append(log, "");
    LogFileFollower f = new LogFileFollower(log, Duration.ofMillis(1), sink);
    f.openAtEnd();
    String chunk = "x".repeat(1 << 20);
    // 16 MiB without a newline: the assembler never holds more than its cap.
    for (int i = 0; i < 16; i++) {
      append(log, chunk);
      f.step(buffer);
    }
    append(log, "\nnext\n");
    f.step(buffer);
    assertEquals(List.of("next"), lines);
    assertEquals(1, malformed);
    f.close();
  }
}
