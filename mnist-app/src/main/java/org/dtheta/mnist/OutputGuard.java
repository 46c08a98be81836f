package org.dtheta.mnist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dtheta.nn.io.AtomicFiles;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What one command writes, claimed before any work: each output is compared with every input
 * (same file, through links too, is refused) and locked exclusively while the command runs, so
 * that a second writer of the same output stops at once, naming the file and the holder, instead
 * of interleaving with the first. The lock is a hidden {@code .NAME.lock} beside the output,
 * holding a line about its holder, removed on {@link #close()}.
 */
final class OutputGuard implements AutoCloseable {

  private record Named(String option, Path path) {}

  private final String holder;
  private final List<Named> inputs = new ArrayList<>();
  private final List<Named> outputs = new ArrayList<>();
  private final List<Lock> locks = new ArrayList<>();

  private OutputGuard(String holder) {
    this.holder = holder;
  }

  /** A guard for the command being run (how its holder is described to a second writer). */
  static OutputGuard of(CommandSpec spec) {
    return of(spec.commandLine().getParseResult() == null ? List.of()
        : spec.commandLine().getParseResult().originalArgs());
  }

  /** A guard for the command line {@code words}. */
  static OutputGuard of(List<String> words) {
    return new OutputGuard("pid " + ProcessHandle.current().pid() + ", started "
        + Instant.now() + ": dtheta " + String.join(" ", words));
  }

  /** An input file of {@code option} (missing files are the reader's to report). */
  OutputGuard input(String option, Path file) {
    if (file != null) {
      inputs.add(new Named(option, file));
    }
    return this;
  }

  /** An output file of {@code option}. */
  OutputGuard output(String option, Path file) {
    outputs.add(new Named(option, file));
    return this;
  }

  /**
   * Refuses outputs that are inputs, then locks every output; throws {@link
   * IllegalArgumentException} (bad input, exit 2) naming the option and file.
   */
  OutputGuard claim() throws IOException {
    for (Named out : outputs) {
      for (Named in : inputs) {
        if (Files.exists(out.path) && Files.exists(in.path) && Files.isSameFile(out.path, in.path)) {
          throw new IllegalArgumentException(out.option + " " + out.path + " is the same file as "
              + in.option + " " + in.path + ": writing it would destroy the input; choose another "
              + out.option);
        }
      }
    }
    try {
      for (Named out : outputs) {
        locks.add(Lock.acquire(out.option, out.path, holder));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  /** Releases the locks and removes the lock files. */
  @Override
  public void close() {
    for (Lock lock : locks) {
      lock.release();
    }
    locks.clear();
  }

  /**
   * The output folder {@code dir} of {@code option}, created if missing; a blank name, a file in
   * its place or a folder that cannot be written is bad input naming the option.
   */
  static Path createFolder(Path dir, String option) throws IOException {
    if (dir.toString().isBlank()) {
      throw new IllegalArgumentException(option + " must name a folder, not '" + dir + "'");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + " " + dir + " exists and is not a folder;"
          + " name a folder (created if missing)");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IOException(option + " " + dir + ": cannot create the folder ("
          + MnistApp.describe(e) + ")", e);
    }
    AtomicFiles.requireFolder(dir);
    return dir;
  }

  /** The lock file of {@code output}: hidden, beside it. */
  static Path lockFile(Path output) {
    return AtomicFiles.folderOf(output).resolve("." + output.getFileName() + ".lock");
  }

  /** One held lock. */
  private record Lock(Path file, FileChannel channel) {

    static Lock acquire(String option, Path output, String holder) throws IOException {
      Path file = lockFile(output);
      AtomicFiles.requireFolder(file.getParent());
      // A holder deletes its lock file on release, so a file opened just before that deletion is
      // no longer the lock: the inode at the path, read before opening and after locking (by
      // stat: another descriptor would drop this process's POSIX lock when closed), must agree.
      for (int attempt = 0; attempt < 100; attempt++) {
        Object before = inode(file);
        if (before == null) {
          try {
            Files.createFile(file);
          } catch (FileAlreadyExistsException e) {
            // another writer created it first: take it from there
          }
          continue;
        }
        FileChannel channel;
        try {
          channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
          continue;
        }
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null; // held by this process
        } catch (IOException | RuntimeException e) {
          channel.close();
          throw e;
        }
        if (lock == null) {
          String who = readQuietly(channel);
          channel.close();
          throw new IllegalArgumentException(option + " " + output + " is being written by another"
              + " dtheta process (" + (who.isBlank() ? "holder unknown" : who.strip()) + "; lock "
              + file + "); wait for it to finish or choose another " + option);
        }
        if (!before.equals(inode(file))) {
          channel.close();
          continue;
        }
        Lock held = new Lock(file, channel);
        try {
          channel.truncate(0);
          channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
          held.release();
          throw AtomicFiles.naming(file, e);
        }
        return held;
      }
      throw new IOException(file + ": could not take the lock of " + output + " (it keeps changing)");
    }

    /** The file's identity (device and inode), or null if it does not exist. */
    private static Object inode(Path file) throws IOException {
      try {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      } catch (NoSuchFileException e) {
        return null;
      }
    }

    void release() {
      try {
        Files.deleteIfExists(file); // while still locked: see acquire
      } catch (IOException e) {
        // a lock file left behind is harmless: the next writer takes it over
      }
      try {
        channel.close(); // releases the lock
      } catch (IOException e) {
        // nothing to do: the lock goes with the channel anyway
      }
    }

    /** What the holder wrote, read through {@code channel}: another descriptor on the file would
     * drop this process's POSIX locks on it when closed. */
    private static String readQuietly(FileChannel channel) {
      try {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
        channel.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }
  }
}
