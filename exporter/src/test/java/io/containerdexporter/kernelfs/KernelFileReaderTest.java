package io.containerdexporter.kernelfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KernelFileReaderTest {

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The kernel hands a seq_file out in pieces; a read must go on until end of file. */
  private static InputStream trickling(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 7));
      }
    };
  }

  @Test
  void readsAWholeFileInPiecesAndAShorterOneAfterItLeavesNothingBehind() throws IOException {
    String big = "x".repeat(100_000) + "\n"; // grows the buffer beyond the kept size
    assertEquals(big, KernelFileReader.readWhole(trickling(big), 4 << 20, StandardCharsets.UTF_8));
    String mid = "y".repeat(20_000) + "\n"; // grows it, and is kept
    assertEquals(mid, KernelFileReader.readWhole(stream(mid), 4 << 20, StandardCharsets.UTF_8));
    assertEquals("1\n", KernelFileReader.readWhole(stream("1\n"), 10, StandardCharsets.UTF_8));
    assertEquals("", KernelFileReader.readWhole(stream(""), 10, StandardCharsets.UTF_8));
  }

  @Test
  void aFileOfExactlyMaxBytesIsWholeAndOneByteMoreIsNot() throws IOException {
    assertEquals("abcd", KernelFileReader.readWhole(stream("abcd"), 4, StandardCharsets.UTF_8));
    assertNull(KernelFileReader.readWhole(stream("abcde"), 4, StandardCharsets.UTF_8));
  }

  @Test
  void aPrefixIsCutAtMaxBytes() throws IOException {
    assertEquals("abc", KernelFileReader.readPrefix(stream("abcdef"), 3, StandardCharsets.UTF_8));
    assertEquals("ab", KernelFileReader.readPrefix(stream("ab"), 3, StandardCharsets.UTF_8));
  }

  @Test
  void decodesWithTheCharsetAsked() throws IOException {
    byte[] utf8 = "é\n".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        "é\n",
        KernelFileReader.readWhole(new ByteArrayInputStream(utf8), 10, StandardCharsets.UTF_8));
    assertEquals(
        "Ã©\n",
        KernelFileReader.readWhole(
            new ByteArrayInputStream(utf8), 10, StandardCharsets.ISO_8859_1));
  }
}
