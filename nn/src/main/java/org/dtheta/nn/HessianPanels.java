package org.dtheta.nn;

import java.io.IOException;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;

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

  /** P, the number of parameters: the rows and columns of the Hessian. */
  int dimension();

  /**
   * Rows {@code [firstRow, P)} of {@code scale Hess L(theta) + shift I}, panel by panel as
   * {@link #write(double[], PanelSink, int, ProgressListener, int)} sends the Hessian's, each
   * entry with the bits of {@link #affine} applied to the Hessian's panel (how {@code Df = I -
   * alpha Hess L} is streamed). This default applies it to each panel after {@code write} has
   * made it; an implementation that writes its rows entry by entry may fold it into that write,
   * saving a pass over every panel, with the same bits.
   */
  default void writeAffine(double[] theta, double scale, double shift, PanelSink sink,
      int panelRows, ProgressListener progress, int firstRow) throws IOException {
    int p = dimension();
    write(theta, new PanelSink() {
      @Override
      public void accept(int first, int rows, double[] panel) throws IOException {
        affine(panel, rows, p, first, 0, scale, shift);
        sink.accept(first, rows, panel);
      }

      @Override
      public double[] exchange(int first, int rows, double[] panel) throws IOException {
        affine(panel, rows, p, first, 0, scale, shift);
        return sink.exchange(first, rows, panel);
      }
    }, panelRows, progress, firstRow);
  }

  /**
   * Turns, in place, the {@code rows x cols} row-major submatrix of a matrix {@code C} at rows
   * {@code [firstRow, firstRow + rows)} and columns {@code [firstCol, firstCol + cols)} into the
   * same submatrix of {@code scale C + shift I}: scales every entry, then adds {@code shift}
   * where a row meets its own column. Panels are {@code (first, 0)}, blocks their two offsets.
   */
  static void affine(double[] c, int rows, int cols, int firstRow, int firstCol, double scale,
      double shift) {
    Kernels.scale(rows * cols, scale, c, 0);
    for (int r = 0; r < rows; r++) {
      int col = firstRow + r - firstCol;
      if (col >= 0 && col < cols) {
        c[r * cols + col] += shift;
      }
    }
  }

  /**
   * Bytes of a panel when the caller asks for no size (the command line's default, the
   * benchmark's): large writes, a small share of the heap.
   */
  long DEFAULT_PANEL_BYTES = 128L << 20;

  /**
   * Rows of a panel of a {@code p x p} matrix that fit in {@code bytes}: at least one, at most
   * {@code p}.
   */
  static int panelRows(int p, long bytes) {
    return (int) Math.max(1, Math.min(p, bytes / (8L * p)));
  }

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
