package org.dtheta.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not what the reader expects: a malformed or unsupported {@code .npy} header,
 * truncated data, a shape other than the expected one. The message names the file first.
 */
public class NpyFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final Path file;

  /** {@code problem} found in {@code file}; the message reads "file: problem". */
  public NpyFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /** The offending file. */
  public Path file() {
    return file;
  }
}
