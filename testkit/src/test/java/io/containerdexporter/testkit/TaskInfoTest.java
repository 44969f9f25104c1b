package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskInfoTest {
  @Test
  void parsesCtrTasksList() {
    String output =
        """
                TASK    PID     STATUS    \n\
                s1      9350    RUNNING
                oom1    9422    STOPPED
                """;

    assertEquals(
        List.of(new TaskInfo("s1", 9350, "RUNNING"), new TaskInfo("oom1", 9422, "STOPPED")),
        TaskInfo.parseList(output));
  }

  @Test
  void headerOnlyMeansNoTasks() {
    assertEquals(List.of(), TaskInfo.parseList("TASK    PID     STATUS    \n"));
    assertEquals(List.of(), TaskInfo.parseList(""));
  }
}
