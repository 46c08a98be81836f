package org.dtheta.nn;

import java.io.IOException;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.linalg.LinearMap;
import org.dtheta.nn.structured.StructuredHessianPanels;

/**
 * One step of full-batch gradient descent, {@code f(theta) = theta - alpha grad L(theta)}, and
 * its Jacobian {@code Df(theta) = I - alpha Hess L(theta)} (seed 001's {@code J(t) = d
 * theta^{t+1} / d theta^t}), as products, blocks, dense row panels and linear maps, for any
 * {@link Objective} {@code L}. Every Gauss-Newton variant replaces {@code Hess L} by the
 * Gauss-Newton matrix {@code G} ({@link Curvature}), so users can compare the two (for
 * objectives that offer it).
 *
 * <p>This class is the one place that chooses how {@code Hess L} is computed ({@link
 * #hessianPanels}: the Kronecker-structured panels for a {@link TwoLayerNet}, batched
 * curvature products for every objective) and the one place that forms {@code I - alpha C}
 * from {@code C} ({@link #jacobianTimes} for products, {@link #toUpdateJacobian} for panels and
 * blocks). Blocks by name ({@link Block}: W1, b1, W2, b2) exist for two-layer nets only.
 */
public final class UpdateMap {

  private final Objective objective;
  private final double alpha;
  private final int directionsPerSweep;

  /** The update map of {@code net}, alpha its learning rate, its default directions per sweep. */
  public UpdateMap(TwoLayerNet net) {
    this(net, net.defaultDirectionsPerSweep());
  }

  /**
   * The update map of {@code net} (alpha its learning rate); blocks and dense matrices use
   * {@code directionsPerSweep} unit directions per batched sweep. More directions make each
   * sweep a wider matrix product; memory stays bounded because the net splits the samples into
   * parts sized to its tangent budget ({@link TwoLayerNet#hessianTimes}).
   */
  public UpdateMap(TwoLayerNet net, int directionsPerSweep) {
    this(net, net.config().learningRate(), directionsPerSweep);
  }

  private UpdateMap(Objective objective, double alpha, int directionsPerSweep) {
    if (directionsPerSweep < 1) {
      throw new IllegalArgumentException(
          "directions per sweep must be >= 1, not " + directionsPerSweep);
    }
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be a finite number > 0, not " + alpha);
    }
    this.objective = objective;
    this.alpha = alpha;
    this.directionsPerSweep = directionsPerSweep;
  }

  /** The update map of {@code objective} with step {@code alpha}, its default directions per sweep. */
  public static UpdateMap of(Objective objective, double alpha) {
    return of(objective, alpha, objective.defaultDirectionsPerSweep());
  }

  /**
   * The update map of {@code objective} with step {@code alpha}, {@code directionsPerSweep} unit
   * directions per batched sweep in blocks and dense matrices.
   */
  public static UpdateMap of(Objective objective, double alpha, int directionsPerSweep) {
    return new UpdateMap(objective, alpha, directionsPerSweep);
  }

  /** The loss whose gradient is descended. */
  public Objective objective() {
    return objective;
  }

  /**
   * The two-layer network whose loss is descended.
   *
   * @throws IllegalStateException if the objective is not a {@link TwoLayerNet}
   */
  public TwoLayerNet net() {
    if (objective instanceof TwoLayerNet net) {
      return net;
    }
    throw new IllegalStateException(
        "this update map descends " + objective.getClass().getSimpleName()
            + ", not a TwoLayerNet; use objective()");
  }

  /** The step alpha. */
  public double alpha() {
    return alpha;
  }

  /** P, the dimension of theta. */
  public int dimension() {
    return objective.dimension();
  }

  /** Unit directions per batched sweep in blocks and dense matrices. */
  public int directionsPerSweep() {
    return directionsPerSweep;
  }

  /** {@code out = f(theta)}; returns {@code L(theta)}. {@code out} may be {@code theta}. */
  public double apply(double[] theta, double[] out) {
    return apply(theta, out, new double[theta.length]);
  }

  /**
   * {@code out = f(theta)}, also leaving {@code grad L(theta)} in {@code gradient}; returns
   * {@code L(theta)}. {@code out} may be {@code theta}.
   */
  public double apply(double[] theta, double[] out, double[] gradient) {
    double loss = objective.lossAndGradient(theta, gradient);
    step(theta, gradient, out);
    return loss;
  }

  /**
   * {@code out = theta - alpha gradient}: what {@link #apply} does beyond the gradient (one
   * pass over the parameters). {@code out} may be {@code theta}.
   */
  public void step(double[] theta, double[] gradient, double[] out) {
    checkLength("theta", theta);
    checkLength("gradient", gradient);
    checkLength("out", out);
    Kernels.addScaled(theta.length, theta, 0, -alpha, gradient, 0, out, 0);
  }

  /** {@code out = Df(theta) V = V - alpha Hess L V}, {@code V} and {@code out} {@code P x m}. */
  public void jacobianTimes(double[] theta, double[] v, int m, double[] out) {
    jacobianTimes(Curvature.HESSIAN, theta, v, m, out);
  }

  /** {@code out = V - alpha G V}: the update Jacobian with Gauss-Newton curvature. */
  public void gaussNewtonTimes(double[] theta, double[] v, int m, double[] out) {
    jacobianTimes(Curvature.GAUSS_NEWTON, theta, v, m, out);
  }

  /** {@code out = (I - alpha C) V} for the chosen curvature {@code C}. */
  public void jacobianTimes(Curvature curvature, double[] theta, double[] v, int m, double[] out) {
    objective.curvatureTimes(curvature, theta, v, m, out);
    Kernels.addScaled(out.length, v, 0, -alpha, out, 0, out, 0);
  }

  /**
   * Block {@code (row, col)} of {@code Df(theta)}, dense and row-major, {@code length(row) x
   * length(col)}: entry {@code (r, c)} is {@code d f_(row offset + r) / d theta_(col offset +
   * c)}. Computed from Hessian products with the unit directions of the column block only (no
   * use of symmetry, so that {@code block(a, b)} and {@code block(b, a)^T} are independent):
   * the cost is {@code length(col)} products, so for a wide column block such as W1 ask for
   * the transposed block, which holds the same numbers.
   *
   * @throws IllegalStateException if the objective is not a {@link TwoLayerNet} (blocks by name
   *     are two-layer only for now)
   */
  public double[] block(double[] theta, Block row, Block col) {
    return block(Curvature.HESSIAN, theta, row, col);
  }

  /** Block {@code (row, col)} of {@code I - alpha C}, as {@link #block(double[], Block, Block)}. */
  public double[] block(Curvature curvature, double[] theta, Block row, Block col) {
    ParamLayout layout = net().layout();
    int rows = layout.length(row);
    int cols = layout.length(col);
    if ((long) rows * cols > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "block (" + row.label() + ", " + col.label() + ") has " + rows + " x " + cols
              + " entries, more than one array holds; stream the dense matrix with writeDense");
    }
    return block(curvature, theta, layout.offset(row), rows, layout.offset(col), cols);
  }

  /**
   * The submatrix of {@code I - alpha C(theta)} at rows {@code [rowStart, rowStart + rows)} and
   * columns {@code [colStart, colStart + cols)}, {@code rows x cols} row-major, for any objective
   * (e.g. the block of {@link Mlp.Layout}'s {@code Wl} and {@code bl'}): {@code cols} products
   * with unit vectors, batched {@link #directionsPerSweep} at a time.
   */
  public double[] block(Curvature curvature, double[] theta, int rowStart, int rows, int colStart,
      int cols) {
    int p = dimension();
    if (rowStart < 0 || rows < 0 || rowStart + rows > p || colStart < 0 || cols < 0
        || colStart + cols > p) {
      throw new IllegalArgumentException("block rows [" + rowStart + ", " + (rowStart + rows)
          + ") x columns [" + colStart + ", " + (colStart + cols) + ") outside P = " + p);
    }
    if ((long) rows * cols > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a block of " + rows + " x " + cols
          + " entries is more than one array holds; stream the dense matrix with writeDense");
    }
    double[] out = new double[rows * cols];
    theta = theta.clone();
    int m = Math.max(1, Math.min(directionsPerSweep, cols));
    HvpHessianPanels.UnitBatch batch = new HvpHessianPanels.UnitBatch(p, m);
    for (int done = 0; done < cols; done += m) {
      int count = Math.min(m, cols - done);
      double[] products = batch.products(count);
      jacobianTimes(curvature, theta, batch.units(colStart + done, count), count, products);
      // products is P x count: rows of the row block, columns done .. done+count of the block
      for (int r = 0; r < rows; r++) {
        Kernels.copy(count, products, (rowStart + r) * count, out, r * cols + done);
      }
    }
    return out;
  }

  /** The whole {@code Df(theta)}, {@code P x P} row-major, for nets small enough to hold it. */
  public double[] dense(double[] theta) {
    return dense(Curvature.HESSIAN, theta);
  }

  /** The whole {@code I - alpha C}, {@code P x P} row-major, for nets small enough to hold it. */
  public double[] dense(Curvature curvature, double[] theta) {
    int p = dimension();
    if ((long) p * p > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "a dense " + p + " x " + p + " matrix does not fit in one array; stream it with writeDense");
    }
    double[] all = new double[p * p];
    PanelSink keepAll = (first, rows, panel) -> Kernels.copy(rows * p, panel, 0, all, first * p);
    try {
      writeUpdateJacobian(new HvpHessianPanels(objective, curvature, directionsPerSweep), theta,
          keepAll, directionsPerSweep, ProgressListener.NONE, 0);
    } catch (IOException e) {
      throw new AssertionError("an in-memory sink does not do I/O", e);
    }
    return all;
  }

  /**
   * Streams {@code Df(theta)} to {@code sink} by panels of {@code panelRows} rows in increasing
   * order (the last may be shorter), computing {@code Hess L} by {@code method}.
   *
   * @throws IllegalArgumentException for {@link JacobianMethod#STRUCTURED} on an objective other
   *     than a {@link TwoLayerNet}, or on a network without a dense first layer (the Kronecker
   *     structure needs {@code X W1}); use {@code HVP} there
   */
  public void writeDense(
      double[] theta, JacobianMethod method, PanelSink sink, int panelRows, ProgressListener progress)
      throws IOException {
    writeDense(theta, method, sink, panelRows, progress, 0);
  }

  /**
   * As {@link #writeDense(double[], JacobianMethod, PanelSink, int, ProgressListener)}, rows
   * {@code [firstRow, P)} only: the rest of an interrupted write. {@code firstRow} must be a
   * multiple of {@code panelRows} (or P); the rows come out bit for bit as in a write from 0.
   */
  public void writeDense(double[] theta, JacobianMethod method, PanelSink sink, int panelRows,
      ProgressListener progress, int firstRow) throws IOException {
    writeUpdateJacobian(hessianPanels(method), theta, sink, panelRows, progress, firstRow);
  }

  /** Streams {@code I - alpha G(theta)}, the Gauss-Newton update Jacobian, as {@link #writeDense}. */
  public void writeDenseGaussNewton(
      double[] theta, PanelSink sink, int panelRows, ProgressListener progress) throws IOException {
    writeDenseGaussNewton(theta, sink, panelRows, progress, 0);
  }

  /** Rows {@code [firstRow, P)} of the Gauss-Newton update Jacobian, as {@link #writeDense}. */
  public void writeDenseGaussNewton(double[] theta, PanelSink sink, int panelRows,
      ProgressListener progress, int firstRow) throws IOException {
    writeUpdateJacobian(new HvpHessianPanels(objective, Curvature.GAUSS_NEWTON,
        directionsPerSweep), theta, sink, panelRows, progress, firstRow);
  }

  /**
   * The fastest exact method for this objective: {@link JacobianMethod#STRUCTURED} for a {@link
   * TwoLayerNet}, {@link JacobianMethod#HVP} otherwise.
   */
  public JacobianMethod fastestMethod() {
    return objective instanceof TwoLayerNet ? JacobianMethod.STRUCTURED : JacobianMethod.HVP;
  }

  /** Whether {@code method} can compute this objective's Hessian (see {@link #hessianPanels}). */
  public boolean supports(JacobianMethod method) {
    return method == JacobianMethod.HVP || objective instanceof TwoLayerNet;
  }

  /**
   * Streams rows {@code [firstRow, P)} of {@code I - alpha C(theta)} for either curvature: the
   * Gauss-Newton matrix by batched products, the Hessian by {@code method} ({@code null}: the
   * {@linkplain #fastestMethod fastest}). The one entry the command line needs for a whole matrix.
   */
  public void writeDense(Curvature curvature, JacobianMethod method, double[] theta,
      PanelSink sink, int panelRows, ProgressListener progress, int firstRow) throws IOException {
    if (curvature == Curvature.GAUSS_NEWTON) {
      writeDenseGaussNewton(theta, sink, panelRows, progress, firstRow);
    } else {
      writeDense(theta, method != null ? method : fastestMethod(), sink, panelRows, progress,
          firstRow);
    }
  }

  /**
   * The submatrix of {@code I - alpha C(theta)} at rows {@code [rowStart, rowStart + rows)} and
   * columns {@code [colStart, colStart + cols)}, by {@code method} ({@code null}: the fastest):
   * the Hessian's structured route when it applies (a {@link TwoLayerNet}, whole named blocks),
   * otherwise products with unit vectors ({@link #block(Curvature, double[], int, int, int,
   * int)}).
   */
  public double[] block(Curvature curvature, JacobianMethod method, double[] theta, int rowStart,
      int rows, int colStart, int cols) {
    JacobianMethod chosen = method != null ? method : fastestMethod();
    if (curvature == Curvature.HESSIAN && chosen == JacobianMethod.STRUCTURED
        && objective instanceof TwoLayerNet net) {
      Block row = Block.at(net.layout(), rowStart, rows);
      Block col = Block.at(net.layout(), colStart, cols);
      if (row != null && col != null) {
        double[] block = new StructuredHessianPanels(net).block(theta, row, col);
        toUpdateJacobian(block, rows, cols, rowStart, colStart);
        return block;
      }
    }
    return block(curvature, theta, rowStart, rows, colStart, cols);
  }

  /**
   * The Hessian panel writer for {@code method}: the one place the method is chosen. {@link
   * JacobianMethod#HVP} (batched Hessian products) works for every objective; {@link
   * JacobianMethod#STRUCTURED} (the Kronecker structure of one hidden layer) for a {@link
   * TwoLayerNet} only.
   *
   * @throws IllegalArgumentException for {@code STRUCTURED} on any other objective
   */
  public HessianPanels hessianPanels(JacobianMethod method) {
    return switch (method) {
      case HVP -> new HvpHessianPanels(objective, Curvature.HESSIAN, directionsPerSweep);
      case STRUCTURED -> {
        if (objective instanceof TwoLayerNet net) {
          yield new StructuredHessianPanels(net);
        }
        throw new IllegalArgumentException("structured works for one hidden layer only; use hvp ("
            + objective.getClass().getSimpleName() + " is not a TwoLayerNet)");
      }
    };
  }

  /**
   * {@code Df(theta)} as a linear map (theta is copied: later changes to it are not seen). The
   * map runs on this update map's net, so, like the net, it is not thread-safe.
   */
  public LinearMap asLinearMap(double[] theta) {
    return asLinearMap(Curvature.HESSIAN, theta);
  }

  /** {@code I - alpha C(theta)} as a linear map (theta is copied). */
  public LinearMap asLinearMap(Curvature curvature, double[] theta) {
    double[] at = theta.clone();
    return map((v, m, out) -> jacobianTimes(curvature, at, v, m, out));
  }

  /** {@code Hess L(theta)} as a linear map (theta is copied). */
  public LinearMap hessianMap(double[] theta) {
    return curvatureMap(Curvature.HESSIAN, theta);
  }

  /** The curvature matrix {@code C(theta)} itself as a linear map (theta is copied). */
  public LinearMap curvatureMap(Curvature curvature, double[] theta) {
    double[] at = theta.clone();
    return map((v, m, out) -> objective.curvatureTimes(curvature, at, v, m, out));
  }

  /** Streams rows {@code [firstRow, P)} of {@code I - alpha C} from {@code panels} of {@code C}. */
  private void writeUpdateJacobian(HessianPanels panels, double[] theta, PanelSink sink,
      int panelRows, ProgressListener progress, int firstRow) throws IOException {
    panels.writeAffine(theta, -alpha, 1.0, sink, panelRows, progress, firstRow);
  }

  /**
   * Turns, in place, the {@code rows x cols} row-major submatrix of a curvature matrix {@code C}
   * at rows {@code [firstRow, firstRow + rows)} and columns {@code [firstCol, firstCol + cols)}
   * into the same submatrix of {@code I - alpha C}: scales by {@code -alpha}, then adds 1 where
   * a row meets its own column ({@link HessianPanels#affine}, as the streamed panels). Panels
   * are {@code (first, 0)}, blocks their two offsets.
   */
  public void toUpdateJacobian(double[] c, int rows, int cols, int firstRow, int firstCol) {
    HessianPanels.affine(c, rows, cols, firstRow, firstCol, -alpha, 1.0);
  }

  private void checkLength(String name, double[] a) {
    if (a.length != dimension()) {
      throw new IllegalArgumentException(
          name + " has " + a.length + " entries, expected P = " + dimension());
    }
  }

  /** The three-argument product as a {@link LinearMap} of dimension P. */
  private LinearMap map(Product product) {
    int p = dimension();
    return new LinearMap() {
      @Override
      public int dimension() {
        return p;
      }

      @Override
      public void apply(double[] v, int m, double[] out) {
        product.apply(v, m, out);
      }
    };
  }

  @FunctionalInterface
  private interface Product {
    void apply(double[] v, int m, double[] out);
  }
}
