package org.dtheta.nn.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * Writes files so that a reader (or a resumed run) sees either the old content or the complete
 * new one, never a half-written file: write a temporary file in the same folder, force it to
 * disk, then rename it over the target in one atomic step.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /** Writes the content of a file to a stream. */
  @FunctionalInterface
  public interface Content {
    /** Writes everything to {@code out} (buffered; do not close it). */
    void writeTo(OutputStream out) throws IOException;
  }

  /** Atomically replaces {@code target} with what {@code content} writes. */
  public static void write(Path target, Content content) throws IOException {
    Path temp = createTemp(target);
    boolean done = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        content.writeTo(out);
        out.flush();
        channel.force(true);
      } catch (IOException e) {
        throw naming(target, e);
      }
      move(temp, target);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Atomically replaces {@code target} with {@code text} in UTF-8. */
  public static void writeString(Path target, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    write(target, out -> out.write(bytes));
  }

  /**
   * A new empty temporary file beside {@code target} (same folder, hence same file system, so
   * the final rename can be atomic), hidden and named after the target.
   */
  public static Path createTemp(Path target) throws IOException {
    Path dir = folderOf(target);
    requireFolder(dir);
    // Not Files.createTempFile: that makes the file owner-only (0600), and the final file
    // should get the usual permissions of the user's umask, as any other output does.
    for (int attempt = 0; ; attempt++) {
      Path temp = dir.resolve(
          "." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
      try {
        Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return temp;
      } catch (FileAlreadyExistsException e) {
        if (attempt > 100) {
          throw e;
        }
      }
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Renames {@code source} to {@code target}, replacing it, atomically where the file system
   * allows (a plain replacing move otherwise).
   */
  public static void move(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * {@code e} with {@code file} named in it: an I/O error such as "No space left on device" names
   * no file by itself. File-system exceptions that name a file are returned as they are.
   */
  public static IOException naming(Path file, IOException e) {
    if (e instanceof FileSystemException fs && fs.getFile() != null) {
      return e;
    }
    FileSystemException named = new FileSystemException(file.toString(), null,
        e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    named.initCause(e);
    return named;
  }

  /** The folder a file is (or will be) in: its parent, or the working folder. */
  public static Path folderOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? file.toAbsolutePath() : parent;
  }

  /** Throws unless {@code dir} is an existing, writable folder, naming it. */
  public static void requireFolder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "output folder does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw new IOException(dir + ": output folder is not writable");
    }
  }

  /**
   * Throws, before anything is written, unless the file system holding {@code dir} has
   * {@code bytes} usable bytes for {@code what}; the message gives both amounts.
   */
  public static void requireUsableSpace(Path dir, long bytes, String what) throws IOException {
    requireFolder(dir);
    long usable = dir.toFile().getUsableSpace();
    if (usable < bytes) {
      throw new IOException(
          "not enough disk space in " + dir + " for " + what + ": needs " + humanBytes(bytes)
              + " (" + bytes + " bytes), " + humanBytes(usable) + " (" + usable
              + " bytes) available");
    }
  }

  /** {@code bytes} in decimal units, e.g. {@code 12.6 GB}. */
  public static String humanBytes(long bytes) {
    String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    double v = bytes;
    int u = 0;
    while (Math.abs(v) >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
