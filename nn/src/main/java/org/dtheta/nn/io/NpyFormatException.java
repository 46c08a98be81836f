package org.dtheta.nn.io;

import java.nio.file.Path;

/**
 * A {@code .npy} file that is not what the reader expects: bad magic, unsupported version,
 * dtype or order, a malformed header, truncated data, a shape other than the expected one.
 */
public class NpyFormatException extends FileFormatException {

  private static final long serialVersionUID = 1L;

  /** {@code problem} found in {@code file}; the message reads "file: problem". */
  public NpyFormatException(Path file, String problem) {
    super(file, problem);
  }
}
