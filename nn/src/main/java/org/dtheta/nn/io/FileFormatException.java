package org.dtheta.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not what its reader expects (malformed, unsupported, truncated, wrong shape).
 * The message names the file first: "file: problem".
 */
public class FileFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /** {@code problem} found in {@code file}. */
  public FileFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /** {@code problem} found in {@code file}, detected through {@code cause}. */
  public FileFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The offending file. */
  public Path file() {
    return file;
  }
}
