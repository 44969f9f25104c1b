package io.containerdexporter.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README's "What this host can't show" names exactly the families docs/metrics.md marks cgroup v2
 * cgroup v2, block I/O or hugetlb.
 */
class ReadmeHostLimitsTest {

  @Test
  void listsTheCgroupV2AndBlockIoFamilies() throws Exception {
    String readme = Files.readString(ReadmeFlagsTest.readme());
    int start = readme.indexOf("What this host can't show");
    String section =
        readme.substring(start, readme.indexOf("\n\n", readme.indexOf("\n- ", start) + 1));
    Set<String> listed = new TreeSet<>();
    Matcher m = Pattern.compile("`(container_[a-z_]+)`").matcher(section);
    while (m.find()) {
      listed.add(m.group(1));
    }
    Set<String> marked =
        MetricsTable.rows().stream()
            .filter(r -> r.cgroupV2Only() || r.needsBlockIoAccounting() || r.needsHugetlb())
            .map(MetricsTable.Row::name)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(marked, listed);
  }
}
