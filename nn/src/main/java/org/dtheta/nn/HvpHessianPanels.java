package org.dtheta.nn;

import java.io.IOException;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;

/**
 * The reference {@link HessianPanels}: P curvature-vector products with unit directions, a
 * batch of directions per sweep. The matrix is symmetric, so the product with {@code e_j} is
 * column {@code j} and therefore row {@code j}: a panel of rows is a batch of products, with no
 * need to hold more than one panel.
 */
public final class HvpHessianPanels implements HessianPanels {

  private final Objective objective;
  private final Curvature curvature;
  private final int directionsPerSweep;

  /**
   * Panels of {@code curvature} (the exact Hessian or its Gauss-Newton part) of {@code
   * objective}, {@code directionsPerSweep} unit directions per forward-over-reverse sweep.
   */
  public HvpHessianPanels(Objective objective, Curvature curvature, int directionsPerSweep) {
    if (directionsPerSweep < 1) {
      throw new IllegalArgumentException("directions per sweep must be >= 1, not " + directionsPerSweep);
    }
    this.objective = objective;
    this.curvature = curvature;
    this.directionsPerSweep = directionsPerSweep;
  }

  /** Exact-Hessian panels with the objective's default number of directions per sweep. */
  public HvpHessianPanels(Objective objective) {
    this(objective, Curvature.HESSIAN, objective.defaultDirectionsPerSweep());
  }

  @Override
  public int dimension() {
    return objective.dimension();
  }

  @Override
  public void write(double[] theta, PanelSink sink, int panelRows, ProgressListener progress,
      int firstRow) throws IOException {
    int p = objective.dimension();
    if (panelRows < 1) {
      throw new IllegalArgumentException("panel rows must be >= 1, not " + panelRows);
    }
    int rowsPerPanel = Math.min(panelRows, p);
    if ((long) rowsPerPanel * p > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "a panel of " + rowsPerPanel + " rows of " + p
              + " columns does not fit in one array; use fewer rows");
    }
    HessianPanels.checkFirstRow(firstRow, rowsPerPanel, p);
    theta = theta.clone();
    double[] panel = new double[rowsPerPanel * p];
    int m = Math.min(directionsPerSweep, rowsPerPanel);
    UnitBatch batch = new UnitBatch(p, m);
    // Each panel's batches of directions start at the panel's first row, so a write from a
    // panel boundary computes its rows with the same batches as a write from row 0.
    for (int first = firstRow; first < p; first += rowsPerPanel) {
      int rows = Math.min(rowsPerPanel, p - first);
      for (int done = 0; done < rows; done += m) {
        int count = Math.min(m, rows - done);
        double[] columns = batch.products(count);
        objective.curvatureTimes(curvature, theta, batch.units(first + done, count), count, columns);
        // columns is P x count: column c is row (first + done + c) of the symmetric matrix
        Kernels.transpose(p, count, columns, 0, count, panel, done * p, p);
      }
      panel = PanelSink.handOver(sink, first, rows, panel);
      progress.update(first + rows, p);
    }
  }

  /**
   * Reusable buffers for products with batches of unit vectors: {@code P x count} arrays of
   * exactly the size the products take, full batches reusing one pair of arrays.
   */
  static final class UnitBatch {
    private final int p;
    private final int m;
    private final double[] units;
    private final double[] products;

    /** Buffers for batches of up to {@code m} unit vectors of dimension {@code p}. */
    UnitBatch(int p, int m) {
      this.p = p;
      this.m = m;
      this.units = new double[p * m];
      this.products = new double[p * m];
    }

    /** The unit vectors {@code e_first .. e_(first+count-1)} as the columns of a P x count matrix. */
    double[] units(int first, int count) {
      double[] out = count == m ? units : new double[p * count];
      java.util.Arrays.fill(out, 0.0);
      for (int c = 0; c < count; c++) {
        out[(first + c) * count + c] = 1.0;
      }
      return out;
    }

    /** A P x count result buffer. */
    double[] products(int count) {
      return count == m ? products : new double[p * count];
    }
  }
}
