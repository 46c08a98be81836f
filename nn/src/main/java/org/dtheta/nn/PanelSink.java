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

  /**
   * As {@link #accept}, for a sink that may keep {@code panel} (to write it on a thread of its
   * own, say) instead of copying it: returns the buffer the caller fills next, at least as long
   * as {@code panel}. The caller then leaves {@code panel} alone unless it is the buffer returned;
   * the sink does not touch the buffer it returns. This default accepts the panel and returns it.
   */
  default double[] exchange(int firstRow, int rows, double[] panel) throws IOException {
    accept(firstRow, rows, panel);
    return panel;
  }

  /**
   * {@code sink.exchange(firstRow, rows, panel)}, checked: the buffer to fill next, which a
   * producer of panels takes in place of {@code panel}.
   *
   * @throws IllegalStateException when the sink gives back a buffer shorter than {@code panel}
   */
  static double[] handOver(PanelSink sink, int firstRow, int rows, double[] panel)
      throws IOException {
    double[] next = sink.exchange(firstRow, rows, panel);
    if (next.length < panel.length) {
      throw new IllegalStateException("the sink gave back a buffer of " + next.length
          + " entries for a panel of " + panel.length);
    }
    return next;
  }
}
