package io.containerdexporter.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link NetDev#parse}: real files, the layout quirks, and every kind of line it must refuse
 * without throwing.
 */
class NetDevParserTest {

  static final Path SAMPLES =
      Path.of(System.getProperty("basedir", ""))
          .toAbsolutePath()
          .resolve("src/test/resources/procfs/samples");

  static final String HEADER =
      "Inter-|   Receive                                                |  Transmit\n"
          + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
          + "carrier compressed\n";

  /**
   * /proc/net/dev of the machine these tests were written on (kernel 6.x layout), copied verbatim.
   */
  @Test
  void goldenHostFile() throws IOException {
    NetDev.Parsed p =
        NetDev.parse(Files.readString(SAMPLES.resolve("host-net-dev"), StandardCharsets.UTF_8));

    assertEquals(List.of(), p.malformed());
    assertEquals(
        List.of(
            new NetDev.Interface("lo", 588167135, 73441, 0, 0, 588167135, 73441, 0, 0),
            new NetDev.Interface("ifb0", 0, 0, 0, 0, 0, 0, 0, 0),
            new NetDev.Interface("ifb1", 0, 0, 0, 0, 0, 0, 0, 0),
            new NetDev.Interface("eth0", 98441629, 3309, 0, 0, 462891, 2970, 0, 0)),
        p.interfaces());
  }

  /**
   * The eight cAdvisor columns are 0-3 and 8-11; fifo, frame, compressed, multicast, colls, carrier
   * are not.
   */
  @Test
  void picksTheRightColumns() {
    NetDev.Parsed p = NetDev.parse(HEADER + "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
    assertEquals(List.of(new NetDev.Interface("eth0", 1, 2, 3, 4, 9, 10, 11, 12)), p.interfaces());
  }

  @Test
  void nameLayouts() {
    NetDev.Parsed p =
        NetDev.parse(
            HEADER
                + "  eth0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n" // right-aligned short name, space
                // after the colon
                + "eth1:123456789 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n" // an old kernel's %8llu touching
                // the colon
                + "vethab12cd34ef5: 3 0 0 0 0 0 0 0 4 0 0 0 0 0 0 0\n" // 15 characters: no leading
                // space at all
                + "\teth2 :\t5\t0 0 0 0 0 0 0 6 0 0 0 0 0 0 0\n" // tabs and a space before the
                // colon
                + "eth0.100@eth0: 7 0 0 0 0 0 0 0 8 0 0 0 0 0 0 0\n" // a VLAN: '.', '@' are fine in
                // a name
                + "alias:1: 9 0 0 0 0 0 0 0 10 0 0 0 0 0 0 0\n"); // the name ends at the last colon
    assertEquals(
        List.of("eth0", "eth1", "vethab12cd34ef5", "eth2", "eth0.100@eth0", "alias:1"),
        p.interfaces().stream().map(NetDev.Interface::name).toList());
    assertEquals(123456789, p.interfaces().get(1).receiveBytes());
    assertEquals(5, p.interfaces().get(3).receiveBytes());
    assertEquals(List.of(), p.malformed());
  }

  /**
   * Counters are unsigned 64-bit: the largest is kept (as the nearest double), one more is
   * malformed.
   */
  @Test
  void unsigned64BitCounters() {
    NetDev.Parsed p =
        NetDev.parse(
            "eth0: 18446744073709551615 9223372036854775808 0 0 0 0 0 0 "
                + "9007199254740993 0 0 0 0 0 0 0\n"
                + "eth1: 18446744073709551616 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    NetDev.Interface eth0 = p.interfaces().get(0);
    assertEquals(18446744073709551615.0, eth0.receiveBytes());
    assertEquals(9223372036854775808.0, eth0.receivePackets());
    assertEquals(9007199254740992.0, eth0.transmitBytes(), "above 2^53 a double rounds");
    assertEquals(
        List.of("eth1: 18446744073709551616 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"), p.malformed());
  }

  @Test
  void headersBlankLinesAndNoTrailingNewlineAreNotErrors() {
    assertEquals(new NetDev.Parsed(List.of(), List.of()), NetDev.parse(""));
    assertEquals(new NetDev.Parsed(List.of(), List.of()), NetDev.parse(HEADER));
    NetDev.Parsed p = NetDev.parse(HEADER + "\n\n  eth0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0");
    assertEquals(1, p.interfaces().size());
    assertEquals(List.of(), p.malformed());
  }

  @Test
  void malformedLinesAreSkippedOneByOneAndReported() {
    List<String> bad =
        List.of(
            "  eth1: 12 34 56", // cut short
            "  eth2: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", // a 17th column: a layout we do
            // not know
            "  eth3: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x", // not a number
            "  eth4: 1 2 3 4 5 6 7 8 9 -10 11 12 13 14 15 16", // negative
            "  eth5: +1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", // a sign parseUnsignedLong would
            // take
            "  eth6: 1.5 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
            "  eth7  1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", // no colon
            "  : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", // no name
            "my eth: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", // whitespace inside a name
            "a/b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", // '/' cannot be in a name
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes", // a header,
            // but not on
            // top
            "  eth0: 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9"); // a second eth0: it would be a duplicate
    // series
    String text =
        HEADER
            + "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
            + String.join("\n", bad)
            + "\n"
            + "  eth9: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n";

    NetDev.Parsed p = NetDev.parse(text);

    assertEquals(
        List.of("eth0", "eth9"),
        p.interfaces().stream().map(NetDev.Interface::name).toList(),
        "the good lines around the bad ones are kept");
    assertEquals(1, p.interfaces().get(0).receiveBytes(), "the first eth0 wins");
    assertEquals(bad, p.malformed());
  }

  @Test
  void parseLineRefusesWithNullNeverThrows() {
    assertNull(NetDev.parseLine(":"));
    assertNull(NetDev.parseLine("eth0:"));
    assertNull(NetDev.parseLine("eth0: "));
  }
}
