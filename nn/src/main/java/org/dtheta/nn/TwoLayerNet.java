package org.dtheta.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dtheta.core.Hessians;
import org.dtheta.core.Ops;
import org.dtheta.core.ShapeException;
import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.UnaryFunction;
import org.dtheta.core.sparse.CsrMatrix;

/**
 * The training loss {@code L(theta)} of a two-layer network ({@link NetworkConfig}) on one full
 * batch ({@link Dataset}), with its exact first and second derivatives.
 *
 * <p>The loss is recorded once on a core {@link Tape} whose variables are W1, b1, W2, b2 in
 * layout order, so the tape's flat parameter vector is theta itself ({@link ParamLayout}); every
 * call replays that tape. Values and adjoints are kept for the last theta evaluated, so a run of
 * Hessian products at one point (Lanczos, a dense Jacobian) pays for one gradient only.
 *
 * <p>The dataset's arrays are wrapped, not copied: do not change them while the net is in use.
 * Not thread-safe (one tape); the kernels use the machine's cores themselves.
 */
public final class TwoLayerNet {

  /**
   * Budget, in doubles, for the tangent buffers of one batched sweep (512 MB): the default
   * number of directions per sweep keeps the {@code k x hidden x m} tangents of the recorded
   * nodes (value tangent and adjoint tangent, about six per sample and unit) under it.
   */
  static final long TANGENT_BUDGET_DOUBLES = 1L << 26;

  /** The most directions a default sweep carries (enough to make every product a GEMM). */
  static final int MAX_DEFAULT_DIRECTIONS = 64;

  /** How many other datasets keep their recorded forward pass for predictions. */
  private static final int PREDICTION_GRAPHS = 2;

  private final NetworkConfig config;
  private final Dataset data;
  private final ParamLayout layout;
  private final Graph graph;

  /** The theta at which {@link #graph}'s values are current, or null. */
  private double[] valuesAt;
  /** Whether the adjoints of {@link #graph} are the gradient at {@link #valuesAt}. */
  private boolean adjointsCurrent;
  /** The loss as a function of the logits alone, for Gauss-Newton products (made on demand). */
  private Var outputLossOfLogits;
  /**
   * Recorded forward passes on the last few datasets other than the training batch that
   * predictions were asked for (a train loop alternates between a test and a validation set).
   */
  private final List<Graph> predictionGraphs = new ArrayList<>();

  /** The recorded function: its tape, the output pre-activation A2 and the scalar loss. */
  private record Graph(Tape tape, Dataset data, Var logits, Var loss) {}

  /** The top of the network: logits A2 and the data loss. */
  private record Top(Var logits, Var loss) {}

  /** Records the loss of {@code config} on {@code data}. */
  public TwoLayerNet(NetworkConfig config, Dataset data) {
    this.config = config;
    this.data = data;
    this.layout = config.layout();
    requireFits(config, data, "training data");
    this.graph = record(config, data);
  }

  /** The network. */
  public NetworkConfig config() {
    return config;
  }

  /** The training batch the loss is taken over. */
  public Dataset data() {
    return data;
  }

  /** The layout of theta. */
  public ParamLayout layout() {
    return layout;
  }

  /** P, the number of parameters. */
  public int parameterCount() {
    return layout.size();
  }

  /**
   * Directions per batched sweep that keep the tangent buffers near 512 MB at this batch size
   * (between 1 and 64): 3 for MNIST at k = 60000, 64 for small test nets.
   */
  public int defaultDirectionsPerSweep() {
    long perDirection = 6L * data.k() * (config.hidden() + config.outputs());
    long m = TANGENT_BUDGET_DOUBLES / Math.max(1, perDirection);
    return (int) Math.max(1, Math.min(MAX_DEFAULT_DIRECTIONS, Math.min(m, layout.size())));
  }

  /** {@code L(theta)}. */
  public double loss(double[] theta) {
    forwardAt(theta);
    return graph.loss.scalar();
  }

  /** Writes {@code grad L(theta)} into {@code gradient} (length P) and returns {@code L(theta)}. */
  public double lossAndGradient(double[] theta, double[] gradient) {
    gradientAt(theta);
    graph.tape.getAdjoints(gradient);
    return graph.loss.scalar();
  }

  /**
   * {@code out = Hess L(theta) V} for {@code m} directions in one forward-over-reverse sweep;
   * {@code v} and {@code out} are exactly {@code P x m} row-major (entry {@code i*m + d} is
   * component {@code i} of direction {@code d}).
   */
  public void hessianTimes(double[] theta, double[] v, int m, double[] out) {
    checkDirections(v, m, out);
    gradientAt(theta);
    Tape tape = graph.tape;
    tape.setTangents(v, m);
    tape.forwardTangents(m);
    tape.reverseTangents(graph.loss, null, m);
    tape.getAdjointTangents(out, m);
  }

  /**
   * {@code out = G(theta) V}, the Gauss-Newton matrix {@code J^T H_out J} (plus the L2 term's
   * Hessian) times {@code m} directions ({@code P x m} row-major, as {@link #hessianTimes}).
   * Computed by the engine in three steps: the tangents of the logits {@code A2} give {@code J
   * V}; the Hessian of the loss as a function of {@code A2} alone (a second, small tape) gives
   * {@code H_out J V}; a second-order reverse sweep seeded at {@code A2} with every adjoint zero
   * gives {@code J^T (H_out J V)}, the zero adjoints removing exactly the terms that carry the
   * network's own second derivatives.
   */
  public void gaussNewtonTimes(double[] theta, double[] v, int m, double[] out) {
    checkDirections(v, m, out);
    forwardAt(theta);
    Tape tape = graph.tape;
    Var logits = graph.logits;
    int n = logits.size();
    tape.setTangents(v, m);
    tape.forwardTangents(m);
    double[] jv = new double[n * m];
    tape.getTangents(logits, jv, m);
    double[] hjv = new double[n * m];
    Hessians.hessianMatrixProduct(outputLossOfLogits(), logits.value(), jv, m, null, hjv);
    tape.reverse(logits, new double[n]);
    adjointsCurrent = false;
    tape.reverseTangents(logits, toTangentLayout(hjv, logits.rows(), logits.cols(), m), m);
    tape.getAdjointTangents(out, m);
    addL2Hessian(v, m, out);
  }

  /** {@code C V} for the chosen curvature matrix: {@link #hessianTimes} or {@link #gaussNewtonTimes}. */
  public void curvatureTimes(Curvature curvature, double[] theta, double[] v, int m, double[] out) {
    if (curvature == Curvature.HESSIAN) {
      hessianTimes(theta, v, m, out);
    } else {
      gaussNewtonTimes(theta, v, m, out);
    }
  }

  /**
   * The network's outputs {@code Y = out(A2)} on {@code samples} ({@code k x outputs},
   * row-major): class probabilities for a softmax output.
   */
  public double[] predict(double[] theta, Dataset samples) {
    Var logits = logitsAt(theta, samples);
    double[] y = new double[logits.size()];
    int c = config.outputs();
    for (int i = 0; i < samples.k(); i++) {
      switch (config.output()) {
        case SOFTMAX -> Kernels.softmaxRow(c, logits.value(), i * c, y, i * c);
        case SIGMOID -> Kernels.map(UnaryFunction.SIGMOID, c, logits.value(), i * c, y, i * c);
        case IDENTITY -> Kernels.copy(c, logits.value(), i * c, y, i * c);
      }
    }
    return y;
  }

  /**
   * The fraction of {@code samples} classified right: the largest output against the largest
   * target of each row, or, with a single output, {@code y >= 1/2} against {@code t >= 1/2}.
   */
  public double accuracy(double[] theta, Dataset samples) {
    double[] y = predict(theta, samples);
    int c = config.outputs();
    int right = 0;
    for (int i = 0; i < samples.k(); i++) {
      boolean hit =
          c == 1
              ? (y[i] >= 0.5) == (samples.targets()[i] >= 0.5)
              : argmax(y, i * c, c) == argmax(samples.targets(), i * c, c);
      right += hit ? 1 : 0;
    }
    return (double) right / samples.k();
  }

  /**
   * Records the data loss of {@code c} as a function of the first-layer pre-activation {@code
   * a1} ({@code k x hidden}), {@code w2} ({@code hidden x outputs}) and {@code b2} ({@code 1 x
   * outputs}): hidden activation, output layer and loss, scaled exactly as in the full loss (mean
   * over samples for cross-entropy, over all entries for binary cross-entropy, a plain sum for
   * the squared error), without the L2 term. The full loss is {@code buildTop(tape, c, X W1 + 1
   * b1, W2, b2, T)} (or {@code X + 1 b1} for a bias-only first layer) plus the L2 term. Any of
   * the inputs may be variables or constants; {@code targets} ({@code k x outputs}) must be a
   * constant.
   */
  public static Var buildTop(Tape tape, NetworkConfig c, Var a1, Var w2, Var b2, Var targets) {
    return top(tape, c, a1, w2, b2, targets).loss();
  }

  // ---- recording ----

  /** Inputs with more zeros than this go through the sparse product (MNIST: about 81% zeros). */
  private static final double SPARSE_INPUT_ZERO_FRACTION = 0.5;

  /**
   * {@code X W1}, through the compressed-sparse-row product when most inputs are zero: the work
   * and memory traffic then scale with the lit pixels only, in every sweep.
   */
  private static Var firstLayerProduct(Var x, Dataset d, Var w1) {
    if (CsrMatrix.zeroFraction(d.x()) > SPARSE_INPUT_ZERO_FRACTION) {
      return Ops.sparseMatmul(CsrMatrix.fromDense(d.x(), d.k(), d.inputs()), w1);
    }
    return Ops.matmul(x, w1);
  }

  private static Graph record(NetworkConfig c, Dataset d) {
    Tape tape = new Tape();
    // Creation order fixes the flat vector: it must be the ParamLayout order W1, b1, W2, b2.
    Var w1 = c.denseFirstLayer() ? tape.variable(c.inputs(), c.hidden()) : null;
    Var b1 = tape.variable(1, c.hidden());
    Var w2 = tape.variable(c.hidden(), c.outputs());
    Var b2 = tape.variable(1, c.outputs());
    if (tape.parameterCount() != c.layout().size()) {
      throw new AssertionError(
          "tape holds " + tape.parameterCount() + " parameters, layout " + c.layout());
    }
    Var x = tape.constant(d.x(), d.k(), d.inputs());
    Var t = tape.constant(d.targets(), d.k(), d.outputs());
    Var a1 = Ops.addRowBroadcast(w1 == null ? x : firstLayerProduct(x, d, w1), b1);
    Top top = top(tape, c, a1, w2, b2, t);
    Var loss = top.loss();
    if (c.l2() > 0) {
      loss = addL2Penalty(c, d.k(), loss, w1, w2);
    }
    return new Graph(tape, d, top.logits(), loss);
  }

  private static Top top(Tape tape, NetworkConfig c, Var a1, Var w2, Var b2, Var targets) {
    requireShape(tape, "a1", a1, a1.rows(), c.hidden());
    int k = a1.rows();
    requireShape(tape, "W2", w2, c.hidden(), c.outputs());
    requireShape(tape, "b2", b2, 1, c.outputs());
    requireShape(tape, "targets", targets, k, c.outputs());
    Var z1 =
        switch (c.activation()) {
          case SIGMOID -> Ops.sigmoid(a1);
          case TANH -> Ops.tanh(a1);
          case RELU -> Ops.relu(a1);
        };
    Var logits = Ops.addRowBroadcast(Ops.matmul(z1, w2), b2);
    return new Top(logits, outputLoss(c, logits, targets));
  }

  /**
   * The data loss as a function of the logits A2 ({@code k x outputs}): softmax cross-entropy
   * (mean over samples), binary cross-entropy of the sigmoid (mean over all entries, i.e. over
   * samples for one output), or the squared error of the output layer (a sum).
   */
  private static Var outputLoss(NetworkConfig c, Var logits, Var targets) {
    return switch (c.loss()) {
      case CROSS_ENTROPY -> Ops.softmaxCrossEntropy(logits, targets);
      case BINARY_CROSS_ENTROPY -> Ops.binaryCrossEntropyWithLogits(logits, targets);
      case SQUARED_ERROR -> Ops.squaredError(
          switch (c.output()) {
            case SOFTMAX -> Ops.softmaxRows(logits);
            case SIGMOID -> Ops.sigmoid(logits);
            case IDENTITY -> logits;
          },
          targets);
    };
  }

  /** {@code dataLoss + (l2/(2k)) (||W1||^2 + ||W2||^2)} (no W1 term for a bias-only first layer). */
  private static Var addL2Penalty(NetworkConfig c, int k, Var dataLoss, Var w1, Var w2) {
    double coefficient = c.l2() / k;
    Var loss = Ops.add(dataLoss, Ops.l2Penalty(w2, coefficient));
    return w1 == null ? loss : Ops.add(loss, Ops.l2Penalty(w1, coefficient));
  }

  /** {@code out += H_L2 V}: the L2 term {@code (l2/2k) ||W||^2} has Hessian {@code l2/k} on weights. */
  private void addL2Hessian(double[] v, int m, double[] out) {
    if (config.l2() == 0) {
      return;
    }
    double h = config.l2() / data.k();
    for (Block b : new Block[] {Block.W1, Block.W2}) {
      int from = layout.offset(b) * m;
      Kernels.axpy(layout.length(b) * m, h, v, from, out, from);
    }
  }

  private Var outputLossOfLogits() {
    if (outputLossOfLogits == null) {
      Tape small = new Tape();
      Var logits = small.variable(data.k(), config.outputs());
      Var targets = small.constant(data.targets(), data.k(), config.outputs());
      outputLossOfLogits = outputLoss(config, logits, targets);
    }
    return outputLossOfLogits;
  }

  // ---- evaluation state ----

  /** Makes the values of the training graph current at {@code theta}. */
  private void forwardAt(double[] theta) {
    layout.checkLength(theta);
    if (valuesAt != null && Arrays.equals(valuesAt, theta)) {
      return;
    }
    graph.tape.setVariables(theta);
    graph.tape.forward();
    valuesAt = theta.clone();
    adjointsCurrent = false;
  }

  /** Makes values and adjoints (the gradient) current at {@code theta}. */
  private void gradientAt(double[] theta) {
    forwardAt(theta);
    if (!adjointsCurrent) {
      graph.tape.reverse(graph.loss, null);
      adjointsCurrent = true;
    }
  }

  private Var logitsAt(double[] theta, Dataset samples) {
    if (samples == data) {
      forwardAt(theta);
      return graph.logits;
    }
    layout.checkLength(theta);
    // the same Dataset object (its arrays are wrapped, so contents are the caller's to keep)
    Graph g = null;
    for (Graph candidate : predictionGraphs) {
      g = candidate.data == samples ? candidate : g;
    }
    if (g == null) {
      requireFits(config, samples, "samples");
      g = record(config, samples);
      if (predictionGraphs.size() == PREDICTION_GRAPHS) {
        predictionGraphs.remove(0); // the oldest
      }
      predictionGraphs.add(g);
    }
    g.tape.setVariables(theta);
    g.tape.forward();
    return g.logits;
  }

  // ---- helpers ----

  private void checkDirections(double[] v, int m, double[] out) {
    if (m < 1) {
      throw new IllegalArgumentException("direction count must be >= 1, not " + m);
    }
    long expected = (long) layout.size() * m;
    if (v.length != expected || out.length != expected) {
      throw new IllegalArgumentException(
          "directions and result must be P x m = " + layout.size() + " x " + m + " (" + expected
              + " entries), got " + v.length + " and " + out.length);
    }
  }

  /** {@code size x m} (the drivers' layout) to the tape's tangent layout {@code rows x (m*cols)}. */
  private static double[] toTangentLayout(double[] flat, int rows, int cols, int m) {
    double[] out = new double[flat.length];
    for (int i = 0; i < rows; i++) {
      Kernels.transpose(cols, m, flat, i * cols * m, m, out, i * m * cols, cols);
    }
    return out;
  }

  private static int argmax(double[] x, int from, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (x[from + j] > x[from + best]) {
        best = j;
      }
    }
    return best;
  }

  private static void requireFits(NetworkConfig c, Dataset d, String what) {
    if (d.inputs() != c.inputs() || d.outputs() != c.outputs()) {
      throw new IllegalArgumentException(
          what + " has " + d.inputs() + " inputs and " + d.outputs() + " target columns; the network"
              + " needs " + c.inputs() + " and " + c.outputs());
    }
  }

  private static void requireShape(Tape tape, String name, Var v, int rows, int cols) {
    if (v.tape() != tape) {
      throw new IllegalArgumentException("buildTop: " + name + " " + v + " is on another tape");
    }
    if (v.rows() != rows || v.cols() != cols) {
      throw new ShapeException(
          "buildTop: " + name + " is " + v.shape() + ", expected " + rows + "x" + cols);
    }
  }
}
