package org.dtheta.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void replacesContentWhole() throws IOException {
    Path f = dir.resolve("metrics.csv");
    AtomicFiles.writeString(f, "a\n");
    AtomicFiles.writeString(f, "b\n");
    assertEquals("b\n", Files.readString(f));
    assertEquals(List.of("metrics.csv"), names());
    // as readable as any file the process creates, not owner-only like a temp file
    Path plain = Files.writeString(dir.resolve("plain"), "x");
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
  }

  @Test
  void failedWriteKeepsTheOldFileAndLeavesNoTemp() throws IOException {
    Path f = dir.resolve("run.json");
    AtomicFiles.writeString(f, "{}");
    assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
      out.write("{\"half\":".getBytes());
      throw new IOException("disk on fire");
    }));
    assertEquals("{}", Files.readString(f));
    assertEquals(List.of("run.json"), names());
  }

  @Test
  void namesAnUnwritableFolder() throws IOException {
    Path locked = Files.createDirectory(dir.resolve("locked"));
    assertTrue(locked.toFile().setWritable(false));
    try {
      // Root ignores permissions, so only check the message when the folder is really locked.
      if (!Files.isWritable(locked)) {
        IOException e = assertThrows(IOException.class,
            () -> AtomicFiles.writeString(locked.resolve("x.csv"), "x"));
        assertTrue(e.getMessage().contains("locked") && e.getMessage().contains("not writable"),
            e.getMessage());
      }
    } finally {
      locked.toFile().setWritable(true);
    }
  }

  @Test
  void humanBytes() {
    assertEquals("12.6 GB", AtomicFiles.humanBytes(39760L * 39760 * 8 + 128));
    assertEquals("999 bytes", AtomicFiles.humanBytes(999));
  }
}
