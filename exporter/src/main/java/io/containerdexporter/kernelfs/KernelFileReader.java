package io.containerdexporter.kernelfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * Reads the small files the kernel generates (cgroupfs, procfs) whole, into a buffer each thread
 * keeps. A poll round reads some 25 such files per task, each a few hundred bytes: {@link
 * InputStream#readNBytes(int)} allocated a fresh 8–16 KiB buffer for every one of them (hundreds of
 * MB per round at 1000 tasks); this allocates only the resulting text. The stat size of these files
 * is 0 or 4096 whatever they hold, so a read goes on until end of file rather than trusting it.
 */
public final class KernelFileReader {

  /** Fits every per-task file (v1 memory.stat is ~1.5 KiB); a larger file grows it. */
  private static final int INITIAL_BYTES = 8 << 10;

  /**
   * A buffer grown beyond this for one large file (a big /proc/stat, a huge cgroup.procs) is not
   * kept: a collector thread should not hold megabytes between rounds.
   */
  private static final int KEPT_BYTES = 64 << 10;

  private static final ThreadLocal<byte[]> BUFFER =
      ThreadLocal.withInitial(() -> new byte[INITIAL_BYTES]);

  private KernelFileReader() {}

  /**
   * The whole text of a stream, or null when it holds more than {@code max} bytes (then only {@code
   * max + 1} are read).
   */
  public static String readWhole(InputStream in, int max, Charset charset) throws IOException {
    return read(in, max + 1, max, charset);
  }

  /** The first {@code max} bytes of a stream as text (all of it when shorter). */
  public static String readPrefix(InputStream in, int max, Charset charset) throws IOException {
    return read(in, max, max, charset);
  }

  /** Reads at most {@code limit} bytes; null when more than {@code max} came. */
  private static String read(InputStream in, int limit, int max, Charset charset)
      throws IOException {
    byte[] buffer = BUFFER.get();
    int length = 0;
    while (length < limit) {
      if (length == buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(limit, 2L * buffer.length));
      }
      int n = in.read(buffer, length, Math.min(buffer.length, limit) - length);
      if (n < 0) {
        break;
      }
      length += n;
    }
    if (buffer.length <= KEPT_BYTES) {
      BUFFER.set(buffer);
    }
    return length > max ? null : new String(buffer, 0, length, charset);
  }
}
