package org.dtheta.nn;

import java.io.IOException;
import org.dtheta.core.ProgressListener;

/**
 * Writes the dense {@code P x P} Hessian of a network's loss as row panels, so that matrices
 * far larger than the heap can be streamed to a file.
 */
public interface HessianPanels {

  /**
   * Sends rows {@code [0, P)} of {@code Hess L(theta)} to {@code sink} in increasing order,
   * {@code panelRows} rows at a time (the last panel may be shorter), reporting rows done to
   * {@code progress}.
   */
  default void write(double[] theta, PanelSink sink, int panelRows, ProgressListener progress)
      throws IOException {
    write(theta, sink, panelRows, progress, 0);
  }

  /**
   * Sends rows {@code [firstRow, P)}, panel by panel as {@link #write(double[], PanelSink, int,
   * ProgressListener)} does: how an interrupted write is continued. {@code firstRow} must be a
   * panel boundary of the full write (a multiple of {@code panelRows}, or P), so that the panels
   * and every row in them are computed exactly as in a write from row 0, bit for bit. Progress
   * counts rows from 0: the first report is {@code firstRow} plus the first panel.
   */
  void write(double[] theta, PanelSink sink, int panelRows, ProgressListener progress, int firstRow)
      throws IOException;

  /**
   * Throws unless {@code firstRow} is a boundary of panels of {@code rowsPerPanel} rows in a
   * matrix of {@code p} rows; for implementations.
   */
  static void checkFirstRow(int firstRow, int rowsPerPanel, int p) {
    if (firstRow < 0 || firstRow > p || (firstRow != p && firstRow % rowsPerPanel != 0)) {
      throw new IllegalArgumentException(
          "first row " + firstRow + " is not a boundary of panels of " + rowsPerPanel
              + " rows in [0, " + p + "]");
    }
  }
}
