package org.dtheta.nn;

import java.io.IOException;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.linalg.LinearMap;
import org.dtheta.nn.structured.StructuredHessianPanels;

/**
 * One step of full-batch gradient descent, {@code f(theta) = theta - alpha grad L(theta)}, and
 * its Jacobian {@code Df(theta) = I - alpha Hess L(theta)} (seed 001's {@code J(t) = d
 * theta^{t+1} / d theta^t}), as products, blocks, dense row panels and linear maps. Alpha is the
 * network's learning rate. Every Gauss-Newton variant replaces {@code Hess L} by the
 * Gauss-Newton matrix {@code G} ({@link Curvature}), so users can compare the two.
 */
public final class UpdateMap {

  private final TwoLayerNet net;
  private final double alpha;
  private final int directionsPerSweep;

  /** The update map of {@code net}, with the net's default directions per sweep. */
  public UpdateMap(TwoLayerNet net) {
    this(net, net.defaultDirectionsPerSweep());
  }

  /**
   * The update map of {@code net}; blocks and dense matrices use {@code directionsPerSweep}
   * unit directions per batched sweep. More directions make each sweep a wider matrix product;
   * memory stays bounded because the net splits the samples into parts sized to its tangent
   * budget ({@link TwoLayerNet#hessianTimes}).
   */
  public UpdateMap(TwoLayerNet net, int directionsPerSweep) {
    if (directionsPerSweep < 1) {
      throw new IllegalArgumentException(
          "directions per sweep must be >= 1, not " + directionsPerSweep);
    }
    this.net = net;
    this.alpha = net.config().learningRate();
    this.directionsPerSweep = directionsPerSweep;
  }

  /** The network whose loss is descended. */
  public TwoLayerNet net() {
    return net;
  }

  /** The step alpha. */
  public double alpha() {
    return alpha;
  }

  /** P, the dimension of theta. */
  public int dimension() {
    return net.parameterCount();
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
    double loss = net.lossAndGradient(theta, gradient);
    step(theta, gradient, out);
    return loss;
  }

  /**
   * {@code out = theta - alpha gradient}: what {@link #apply} does beyond the gradient (one
   * pass over the parameters). {@code out} may be {@code theta}.
   */
  public void step(double[] theta, double[] gradient, double[] out) {
    net.layout().checkLength(theta);
    net.layout().checkLength(gradient);
    net.layout().checkLength(out);
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
    net.curvatureTimes(curvature, theta, v, m, out);
    Kernels.addScaled(out.length, v, 0, -alpha, out, 0, out, 0);
  }

  /**
   * Block {@code (row, col)} of {@code Df(theta)}, dense and row-major, {@code length(row) x
   * length(col)}: entry {@code (r, c)} is {@code d f_(row offset + r) / d theta_(col offset +
   * c)}. Computed from Hessian products with the unit directions of the column block only (no
   * use of symmetry, so that {@code block(a, b)} and {@code block(b, a)^T} are independent):
   * the cost is {@code length(col)} products, so for a wide column block such as W1 ask for
   * the transposed block, which holds the same numbers.
   */
  public double[] block(double[] theta, Block row, Block col) {
    return block(Curvature.HESSIAN, theta, row, col);
  }

  /** Block {@code (row, col)} of {@code I - alpha C}, as {@link #block(double[], Block, Block)}. */
  public double[] block(Curvature curvature, double[] theta, Block row, Block col) {
    ParamLayout layout = net.layout();
    int p = layout.size();
    int rows = layout.length(row);
    int cols = layout.length(col);
    if ((long) rows * cols > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "block (" + row.label() + ", " + col.label() + ") has " + rows + " x " + cols
              + " entries, more than one array holds; stream the dense matrix with writeDense");
    }
    double[] out = new double[rows * cols];
    int rowStart = layout.offset(row);
    int colStart = layout.offset(col);
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
      new HvpHessianPanels(net, curvature, directionsPerSweep)
          .write(theta, updateJacobianPanels(keepAll), directionsPerSweep, ProgressListener.NONE);
    } catch (IOException e) {
      throw new AssertionError("an in-memory sink does not do I/O", e);
    }
    return all;
  }

  /**
   * Streams {@code Df(theta)} to {@code sink} by panels of {@code panelRows} rows in increasing
   * order (the last may be shorter), computing {@code Hess L} by {@code method}.
   *
   * @throws IllegalArgumentException for {@link JacobianMethod#STRUCTURED} on a network without a
   *     dense first layer (the Kronecker structure needs {@code X W1}); use {@code HVP} there
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
    hessianPanels(method).write(theta, updateJacobianPanels(sink), panelRows, progress, firstRow);
  }

  /** Streams {@code I - alpha G(theta)}, the Gauss-Newton update Jacobian, as {@link #writeDense}. */
  public void writeDenseGaussNewton(
      double[] theta, PanelSink sink, int panelRows, ProgressListener progress) throws IOException {
    writeDenseGaussNewton(theta, sink, panelRows, progress, 0);
  }

  /** Rows {@code [firstRow, P)} of the Gauss-Newton update Jacobian, as {@link #writeDense}. */
  public void writeDenseGaussNewton(double[] theta, PanelSink sink, int panelRows,
      ProgressListener progress, int firstRow) throws IOException {
    new HvpHessianPanels(net, Curvature.GAUSS_NEWTON, directionsPerSweep)
        .write(theta, updateJacobianPanels(sink), panelRows, progress, firstRow);
  }

  /** The Hessian panel writer for {@code method}. */
  public HessianPanels hessianPanels(JacobianMethod method) {
    return switch (method) {
      case HVP -> new HvpHessianPanels(net, Curvature.HESSIAN, directionsPerSweep);
      case STRUCTURED -> new StructuredHessianPanels(net);
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
    return map((v, m, out) -> net.curvatureTimes(curvature, at, v, m, out));
  }

  /** Turns panels of a curvature matrix {@code C} into panels of {@code I - alpha C}. */
  private PanelSink updateJacobianPanels(PanelSink sink) {
    int p = dimension();
    return (first, rows, panel) -> {
      Kernels.scale(rows * p, -alpha, panel, 0);
      for (int r = 0; r < rows; r++) {
        panel[r * p + first + r] += 1.0;
      }
      sink.accept(first, rows, panel);
    };
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
