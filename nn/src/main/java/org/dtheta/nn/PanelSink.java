package org.dtheta.nn;

import java.io.IOException;

/**
 * Receives a dense matrix by row panels, in increasing row order, so that a 39760 x 39760
 * Jacobian (12.6 GB) never has to fit in the heap: a {@code .npy} writer, a checksum, a test
 * that keeps everything.
 */
@FunctionalInterface
public interface PanelSink {
  /**
   * Rows {@code [firstRow, firstRow + rows)} of the matrix, row-major, {@code rows x columns}
   * entries of {@code panel} (a buffer reused after the call returns).
   */
  void accept(int firstRow, int rows, double[] panel) throws IOException;
}
