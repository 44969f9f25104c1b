package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunFlagsTest {
  @Test
  void defaultsAddNothing() {
    assertEquals(List.of(), RunFlags.of(RunOptions.DEFAULTS));
  }

  @Test
  void everyOptionBecomesACtrFlagInOrder() {
    RunOptions options =
        RunOptions.builder()
            .memoryLimitBytes(8_388_608)
            .cpuQuota(20_000, 100_000)
            .label("app", "web")
            .label("tier", "front")
            .env("A", "1")
            .build();

    assertEquals(
        List.of(
            "--memory-limit",
            "8388608",
            "--cpu-quota",
            "20000",
            "--cpu-period",
            "100000",
            "--label",
            "app=web",
            "--label",
            "tier=front",
            "--env",
            "A=1"),
        RunFlags.of(options));
  }
}
