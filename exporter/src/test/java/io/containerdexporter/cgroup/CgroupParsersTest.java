package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.cgroup.CgroupParsers.BlkioEntry;
import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.cgroup.CgroupStats.Pressure;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CgroupParsersTest {

  @Test
  void singleValues() throws Exception {
    assertEquals(3559424, CgroupParsers.parseValue("3559424\n"));
    assertEquals(0, CgroupParsers.parseValue("0\n"));
    assertEquals(Long.MAX_VALUE, CgroupParsers.parseValue("9223372036854775807\n"));
    assertEquals(
        9223372036854771712L, CgroupParsers.parseValue("9223372036854771712\n")); // v1 "no limit"
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", // empty
        "\n", // blank
        "3559424", // cut short: the kernel always ends with a newline
        "35x9424\n", // not a number
        "-1\n", // negative where impossible
        "+5\n", // a sign
        "1.5\n", // a fraction
        " 5\n", // spaces
        "max\n", // "max" where a number is expected
        "9223372036854775808\n", // Long.MAX_VALUE + 1
        "18446744073709551615\n", // 20 digits: u64 max, beyond long
        "99999999999999999999999\n",
        "5\n6\n", // two lines
        "٣\n", // a non-ASCII digit
      })
  void malformedSingleValues(String text) {
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.parseValue(text));
  }

  @Test
  void limitsMaxIsZero() throws Exception {
    assertEquals(0, CgroupParsers.parseLimit("max\n"));
    assertEquals(4096, CgroupParsers.parseLimit("4096\n"));
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.parseLimit("ma\n"));
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.parseLimit("max"));
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.parseLimit("-1\n"));
  }

  @Test
  void flatKeyedWellFormed() {
    FlatKeyed f = CgroupParsers.parseFlatKeyed("user 195305\nsystem 24847\n");
    assertEquals(OptionalLong.of(195305), f.get("user"));
    assertEquals(OptionalLong.of(24847), f.get("system"));
    assertEquals(OptionalLong.empty(), f.get("nice"));
    assertTrue(f.absent("nice"));
    assertTrue(f.complete());
    assertFalse(f.malformed());
  }

  @Test
  void flatKeyedBadLineSpoilsOnlyItsKey() {
    FlatKeyed f =
        CgroupParsers.parseFlatKeyed(
            "total_rss 12\ntotal_cache -4\ntotal_swap 18446744073709551615\n"
                + "total_mapped_file x\n");
    assertEquals(OptionalLong.of(12), f.get("total_rss"));
    assertEquals(OptionalLong.empty(), f.get("total_cache"));
    assertEquals(OptionalLong.empty(), f.get("total_swap"));
    assertEquals(OptionalLong.empty(), f.get("total_mapped_file"));
    assertTrue(f.malformed());
    assertTrue(f.complete(), "every key was readable, so a missing key is really missing");
  }

  @Test
  void flatKeyedDuplicateKeyIsUnknown() {
    FlatKeyed f = CgroupParsers.parseFlatKeyed("oom_kill 1\noom_kill 2\nunder_oom 0\n");
    assertEquals(OptionalLong.empty(), f.get("oom_kill"));
    assertEquals(OptionalLong.of(0), f.get("under_oom"));
    assertTrue(f.malformed());
    // even a third time, it stays unknown
    assertEquals(OptionalLong.empty(), CgroupParsers.parseFlatKeyed("a 1\na 1\na 1\n").get("a"));
  }

  @Test
  void flatKeyedCutShortDistrustsTheLastLineAndEveryMissingKey() {
    FlatKeyed f = CgroupParsers.parseFlatKeyed("total_rss 12\ntotal_inactive_file 7577");
    assertEquals(OptionalLong.of(12), f.get("total_rss"));
    assertEquals(
        OptionalLong.empty(), f.get("total_inactive_file"), "7577 may be the start of 757760");
    assertTrue(f.malformed());
    assertFalse(f.absent("total_cache"), "it may have followed the cut");
    assertEquals(OptionalLong.empty(), f.getOr("total_cache", "cache"));

    FlatKeyed cutInKey = CgroupParsers.parseFlatKeyed("rss 5\ntotal_inactive_fi");
    assertFalse(cutInKey.absent("total_inactive_file"));
    assertTrue(cutInKey.malformed());
  }

  @Test
  void flatKeyedFallbackOnlyWhenPreferredIsReallyAbsent() {
    assertEquals(
        OptionalLong.of(5), CgroupParsers.parseFlatKeyed("rss 5\n").getOr("total_rss", "rss"));
    assertEquals(
        OptionalLong.of(7),
        CgroupParsers.parseFlatKeyed("rss 5\ntotal_rss 7\n").getOr("total_rss", "rss"));
    assertEquals(
        OptionalLong.empty(),
        CgroupParsers.parseFlatKeyed("rss 5\ntotal_rss ?\n").getOr("total_rss", "rss"));
  }

  @Test
  void flatKeyedEmptyAndGarbage() {
    FlatKeyed empty = CgroupParsers.parseFlatKeyed("");
    assertTrue(empty.malformed());
    assertFalse(empty.complete());
    FlatKeyed garbage = CgroupParsers.parseFlatKeyed("\u0000\u0001\n  \n=\n");
    assertTrue(garbage.malformed());
    assertTrue(garbage.values().isEmpty());
  }

  @Test
  void blkioTable() throws Exception {
    List<BlkioEntry> entries =
        CgroupParsers.parseBlkio(
            "8:0 Read 1232896\n8:0 Write 4096000\n8:0 Sync 5115904\n8:0 Async 212992\n8:0 Discard 0\n"
                + "8:0 Total 5328896\nTotal 5328896\n");
    assertEquals(6, entries.size());
    assertEquals(new BlkioEntry(8, 0, "Read", 1232896), entries.get(0));
    assertEquals(List.of(), CgroupParsers.parseBlkio("Total 0\n"));
    assertEquals(List.of(), CgroupParsers.parseBlkio(""));
    // tables without an op (blkio.sectors_recursive)
    assertEquals(List.of(new BlkioEntry(8, 0, "", 99)), CgroupParsers.parseBlkio("8:0 99\n"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "8:0 Read 12\n8:0 Wri", // cut short
        "8:0 Read -12\n",
        "8:0 Read twelve\n",
        "8:0 Read 99999999999999999999\n",
        "8 Read 1\n",
        "8:x Read 1\n",
        "8:0 Read 1\n8:0 Read 2\n", // duplicate
        "8:0 Read 1 2\n",
        "Total\n",
        "Total x\n",
        "\n",
        "8:0 R=d 1\n",
        "4096:0 Read 1\n",
        "8:1048576 Read 1\n",
      })
  void malformedBlkio(String text) {
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.parseBlkio(text));
  }

  @Test
  void blkioTablesCombineReadAndWritePerDevice() {
    List<BlkioEntry> bytes =
        List.of(
            new BlkioEntry(253, 0, "Read", 10),
            new BlkioEntry(253, 0, "Write", 20),
            new BlkioEntry(253, 0, "Total", 30),
            new BlkioEntry(8, 0, "Read", 1),
            new BlkioEntry(8, 0, "Sync", 9));
    List<BlkioEntry> ops =
        List.of(
            new BlkioEntry(253, 0, "Read", 3),
            new BlkioEntry(253, 0, "Write", 4),
            new BlkioEntry(8, 16, "Write", 5));
    assertEquals(
        List.of(
            new DeviceIo(8, 0, 1, 0, 0, 0),
            new DeviceIo(8, 16, 0, 0, 0, 5),
            new DeviceIo(253, 0, 10, 20, 3, 4)),
        CgroupParsers.combineBlkio(bytes, ops));
  }

  @Test
  void cpuMaxPeriod() throws Exception {
    assertEquals(
        100000,
        CgroupParsers.parseCpuMaxPeriod("max 100000\n"),
        "no quota: the period all the same");
    assertEquals(100000, CgroupParsers.parseCpuMaxPeriod("200000 100000\n"));
    assertEquals(1000, CgroupParsers.parseCpuMaxPeriod("max 1000\n"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "max\n",
        "max 100000",
        "max  100000\n",
        "-1 100000\n",
        "max max\n",
        "x 100000\n",
        "max 100000 1\n",
        "max 100000\nmax 100000\n",
        "",
        "\n",
        "max -100000\n"
      })
  void malformedCpuMax(String text) {
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.parseCpuMaxPeriod(text));
  }

  @Test
  void ioStat() throws Exception {
    assertEquals(
        List.of(new DeviceIo(8, 0, 1, 2, 3, 4), new DeviceIo(259, 0, 5, 0, 6, 0)),
        CgroupParsers.parseIoStat(
            "259:0 rbytes=5 rios=6\n8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n"));
    assertEquals(List.of(), CgroupParsers.parseIoStat(""), "no I/O yet");
    // iocost's extra keys, floats included, are ignored
    assertEquals(
        List.of(new DeviceIo(8, 0, 1, 2, 3, 4)),
        CgroupParsers.parseIoStat(
            "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=4 cost.wait=0\n"));
  }

  /**
   * The root io.stat of a real kernel 6.12 guest, in the shape issue 18 quotes (its rbytes is the
   * guest's; the other numbers are elided there and made up here): devices with no I/O yet are
   * their name and a space, queues without a device name are "(unknown) ". Both are skipped, the
   * device with numbers is kept.
   */
  @Test
  void ioStatOfARealKernelSkipsDevicesWithoutValuesAndUnknownNames() throws Exception {
    String root =
        "11:0 \n"
            + "(unknown) \n".repeat(7)
            + "2:0 \n"
            + "254:0 rbytes=221733888 wbytes=46772224 rios=6313 wios=2064 dbytes=0 dios=0\n";
    assertEquals(
        List.of(new DeviceIo(254, 0, 221733888, 46772224, 6313, 2064)),
        CgroupParsers.parseIoStat(root));
    // A container with an io.max rule on 11:0 (which creates its blkg) and I/O only on 254:0.
    assertEquals(
        List.of(new DeviceIo(254, 0, 0, 8388608, 0, 8)),
        CgroupParsers.parseIoStat(
            "254:0 rbytes=0 wbytes=8388608 rios=0 wios=8 dbytes=0 dios=0\n11:0 \n"));
    // Without the trailing space, and with a policy's stats after no I/O (iocost and iolatency
    // print a leading
    // space of their own): still no numbers of ours.
    assertEquals(
        List.of(), CgroupParsers.parseIoStat("8:0\n8:16  cost.vrate=100.00 cost.usage=0\n"));
    assertEquals(
        List.of(new DeviceIo(8, 0, 1, 2, 0, 0)),
        CgroupParsers.parseIoStat("8:0 rbytes=1 wbytes=2  depth=max avg_lat=0 win=0\n"));
    // A key that is not major:minor is not a device, values or not (libcontainer skips it too).
    assertEquals(
        List.of(),
        CgroupParsers.parseIoStat("(unknown) rbytes=1 wbytes=2\nx rbytes=1\n1:2:3 rbytes=1\n"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "8:0 rbytes=1 wbytes=2",
        "8:0 rbytes=-1\n",
        "8:0 rbytes=x\n",
        "8:0 rbytes=\n",
        "8:0 =1\n",
        "8:0 rbytes\n",
        "8:0 rbytes=1 rbytes=2\n",
        "8:0 rbytes=1\n8:0 rbytes=1\n",
        "\n",
        "8:0 rbytes=18446744073709551615\n",
        "8:x rbytes=1\n",
        ":0 rbytes=1\n",
        "4096:0 rbytes=1\n",
        "8:0 rbytes=1 garbage\n",
      })
  void malformedIoStat(String text) {
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.parseIoStat(text));
  }

  @Test
  void pressure() throws Exception {
    assertEquals(
        new Pressure(653.017935, OptionalDouble.of(0)),
        CgroupParsers.parsePressure(
            "some avg10=95.75 avg60=89.29 avg300=65.10 total=653017935\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"));
    // cpu.pressure of kernels before 5.13 has no "full" line
    assertEquals(
        new Pressure(1.5, OptionalDouble.empty()),
        CgroupParsers.parsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\n"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n", // no "some"
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=1", // cut short
        "some avg10=0.00 avg60=0.00 avg300=0.00\n", // no total
        "some avg10=0.00 total=-1\n",
        "some avg10=x total=1\n",
        "some avg10=0.00 total=1 total=2\n",
        "some total=1\nsome total=2\n",
        "some avg10 total=1\n",
        "some total=99999999999999999999\n",
      })
  void malformedPressure(String text) {
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.parsePressure(text));
  }

  @Test
  void processes() throws Exception {
    assertEquals(3, CgroupParsers.countProcesses("1\n22\n333\n"));
    assertEquals(0, CgroupParsers.countProcesses(""));
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.countProcesses("1\nx\n"));
    assertThrows(MalformedCgroupFileException.class, () -> CgroupParsers.countProcesses("1\n2"));
  }

  @Test
  void units() {
    assertEquals(4.12, CgroupParsers.ticksToSeconds(412));
    assertEquals(2.845119032, CgroupParsers.nanosToSeconds(2845119032L));
    assertEquals(97.811452, CgroupParsers.microsToSeconds(97811452));
  }

  @Test
  void logTextIsShortAndPrintable() {
    String shown = CgroupParsers.abbreviate("\u0000\u001b[31m" + "9".repeat(100));
    assertTrue(shown.length() < 50, shown);
    assertFalse(shown.chars().anyMatch(c -> c < 0x20), shown);
  }
}
