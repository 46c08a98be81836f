package org.dtheta.nn.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Moves doubles between arrays and a file channel as little-endian float64, through one reusable
 * direct buffer (the channel would otherwise copy a heap buffer into a temporary direct one on
 * every call).
 */
final class LittleEndianDoubles {

  private static final int BUFFER_BYTES = 1 << 20;

  private final ByteBuffer buffer =
      ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

  /** Writes {@code src[off, off+n)} at byte {@code position} of {@code channel}. */
  void write(FileChannel channel, long position, double[] src, int off, int n) throws IOException {
    int perChunk = BUFFER_BYTES / Double.BYTES;
    for (int done = 0; done < n; ) {
      int count = Math.min(perChunk, n - done);
      buffer.clear();
      buffer.asDoubleBuffer().put(src, off + done, count);
      buffer.limit(count * Double.BYTES);
      long at = position + (long) done * Double.BYTES;
      while (buffer.hasRemaining()) {
        at += channel.write(buffer, at);
      }
      done += count;
    }
  }

  /** Reads {@code n} doubles at byte {@code position} of {@code channel} into {@code dst[off..]}. */
  void read(FileChannel channel, long position, double[] dst, int off, int n) throws IOException {
    int perChunk = BUFFER_BYTES / Double.BYTES;
    for (int done = 0; done < n; ) {
      int count = Math.min(perChunk, n - done);
      buffer.clear();
      buffer.limit(count * Double.BYTES);
      long at = position + (long) done * Double.BYTES;
      while (buffer.hasRemaining()) {
        int got = channel.read(buffer, at);
        if (got < 0) {
          throw new EOFException("file ended at byte " + at);
        }
        at += got;
      }
      buffer.flip();
      buffer.asDoubleBuffer().get(dst, off + done, count);
      done += count;
    }
  }
}
