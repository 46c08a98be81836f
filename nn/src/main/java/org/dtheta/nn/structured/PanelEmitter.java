package org.dtheta.nn.structured;

import java.io.IOException;
import org.dtheta.core.ProgressListener;
import org.dtheta.nn.PanelSink;

/**
 * Cuts rows produced in blocks of any size into panels of exactly {@code panelRows} rows (the
 * last may be shorter) for a {@link PanelSink}. A block that fits in the open panel is written
 * straight into it ({@link #target}); one that does not goes through a staging buffer and is
 * copied, so aligned producers pay no copy. Full panels go to the sink by {@link
 * PanelSink#exchange}, so a sink that keeps them pays no copy either.
 */
final class PanelEmitter {

  private final PanelSink sink;
  private final ProgressListener progress;
  private final int columns;
  private final int panelRows;
  private final long totalRows;
  private double[] panel;
  private double[] staging = new double[0];
  private int panelFirst;
  private int filled;

  PanelEmitter(PanelSink sink, ProgressListener progress, int columns, int panelRows,
      int firstRow, long totalRows) {
    if ((long) panelRows * columns > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "a panel of " + panelRows + " rows of " + columns + " columns does not fit in one array; use fewer rows");
    }
    this.sink = sink;
    this.progress = progress;
    this.columns = columns;
    this.panelRows = panelRows;
    this.totalRows = totalRows;
    this.panel = new double[panelRows * columns];
    this.panelFirst = firstRow;
  }

  /** Rows per panel. */
  int panelRows() {
    return panelRows;
  }

  /** The buffer to write the next {@code rows} rows into, from row {@link #targetRow}. */
  double[] target(int rows) {
    if (filled + rows <= panelRows) {
      return panel;
    }
    if (staging.length < (long) rows * columns) {
      staging = new double[Math.multiplyExact(rows, columns)];
    }
    return staging;
  }

  /** The row of {@link #target}'s buffer where the next rows go. */
  int targetRow(int rows) {
    return filled + rows <= panelRows ? filled : 0;
  }

  /** Takes the {@code rows} rows just written into {@code buffer} (from {@link #target}). */
  void commit(double[] buffer, int rows) throws IOException {
    if (buffer == panel) {
      filled += rows;
      if (filled == panelRows) {
        flush();
      }
      return;
    }
    for (int done = 0; done < rows; ) {
      int n = Math.min(rows - done, panelRows - filled);
      System.arraycopy(buffer, done * columns, panel, filled * columns, n * columns);
      filled += n;
      done += n;
      if (filled == panelRows) {
        flush();
      }
    }
  }

  /** Sends the last, possibly short, panel. */
  void finish() throws IOException {
    if (filled > 0) {
      flush();
    }
  }

  private void flush() throws IOException {
    panel = PanelSink.handOver(sink, panelFirst, filled, panel);
    panelFirst += filled;
    filled = 0;
    progress.update(panelFirst, totalRows);
  }
}
