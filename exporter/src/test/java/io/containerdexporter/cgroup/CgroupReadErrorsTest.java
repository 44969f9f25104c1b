package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class CgroupReadErrorsTest {

  @Test
  void countsPerBaseFileNameAndLogsEachNameOnce() {
    Logger logger = Logger.getLogger(CgroupReadErrors.class.getName());
    List<LogRecord> logged = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    logger.addHandler(handler);
    try {
      CgroupReadErrors errors = new CgroupReadErrors();
      errors.record(Path.of("/sys/fs/cgroup/memory/default/c1/memory.stat"), "bad");
      errors.record(Path.of("/sys/fs/cgroup/memory/default/c2/memory.stat"), "bad again");
      errors.record(Path.of("/sys/fs/cgroup/a.slice/b.scope/io.stat"), "cut short");

      assertEquals(Map.of("io.stat", 1L, "memory.stat", 2L), errors.snapshot());
      assertEquals(List.of("io.stat", "memory.stat"), List.copyOf(errors.snapshot().keySet()), "sorted");
      assertEquals(2, errors.count("memory.stat"));
      assertEquals(0, errors.count("cpu.stat"));
      assertEquals(2, logged.size(), "once per file name");
      assertEquals(Level.WARNING, logged.get(0).getLevel());
      assertTrue(logged.get(0).getParameters()[0].toString().endsWith("c1/memory.stat"), "the path is logged");
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void countsFromManyThreads() throws InterruptedException {
    CgroupReadErrors errors = new CgroupReadErrors();
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          errors.record(Path.of("x/cpu.stat"), "bad");
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(8000, errors.count("cpu.stat"));
  }
}
