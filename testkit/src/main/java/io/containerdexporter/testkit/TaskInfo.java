package io.containerdexporter.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of {@code ctr tasks ls}. Status is containerd's word for it: RUNNING, STOPPED, CREATED,
 * PAUSED, ...
 */
public record TaskInfo(String id, long pid, String status) {

  /**
   * Parses
   *
   * <pre>
   * TASK      PID     STATUS
   * sleeper   4242    RUNNING
   * </pre>
   */
  public static List<TaskInfo> parseList(String output) {
    List<TaskInfo> tasks = new ArrayList<>();
    for (String line : output.split("\\R")) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length < 3 || fields[0].equals("TASK")) {
        continue;
      }
      tasks.add(new TaskInfo(fields[0], Long.parseLong(fields[1]), fields[2]));
    }
    return tasks;
  }
}
