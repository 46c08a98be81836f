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
 * batch ({@link Dataset}), with its exact first and second derivatives: the two-layer {@link
 * Objective}, with fast paths ({@link FusedCurvatureProducts}, and the Kronecker-structured
 * Hessian panels that {@link UpdateMap#hessianPanels} chooses for it) that {@link Mlp} has not.
 *
 * <p>The data loss is recorded on core {@link Tape}s whose variables are W1, b1, W2, b2 in
 * layout order, so a tape's flat parameter vector is theta itself ({@link ParamLayout}); every
 * call replays them. The loss is a sum over samples, so the batch may be split into parts
 * (sample ranges, one tape each) whose values, gradients and curvature products are summed with
 * the weights of their share of the batch: products with {@code m} directions need about
 * {@code 6 (hidden + outputs) m} doubles of tangent buffers per sample, so they run over parts
 * sized to one budget ({@link BatchParts}), each part handing its buffers to the next after
 * its sweep and the last keeping them for the next product, so one part's set is held (50
 * directions at k = 60000 on MNIST would otherwise need 8 GB). The L2 term does not depend
 * on the data and is added in closed form. Values and adjoints are kept per part for the last
 * theta evaluated, so a run of Hessian products at one point (Lanczos, a dense Jacobian) pays
 * for one gradient only.
 *
 * <p>The dataset's arrays are wrapped, not copied: do not change them while the net is in use.
 * Not thread-safe (one tape); the kernels use the machine's cores themselves.
 */
public final class TwoLayerNet implements Classifier {

  /**
   * Products with at most this many directions take {@link FusedCurvatureProducts} where it
   * applies: it needs no reverse sweep, which wins for one direction, but per direction it costs
   * about what the tape's batched sweep does, so from two directions on the tape is as good or
   * better.
   */
  static final int FUSED_MAX_DIRECTIONS = 1;

  /** The most directions a default sweep carries (enough to make every product a GEMM). */
  static final int MAX_DEFAULT_DIRECTIONS = 64;

  /** How many other datasets keep their recorded forward pass for predictions. */
  private static final int PREDICTION_GRAPHS = 2;


  private final NetworkConfig config;
  private final Dataset data;
  private final ParamLayout layout;
  /** Upper bound on the samples of one part whatever the budget says (tests force tiny parts). */
  /** The batch split into recorded parts. */
  private final BatchParts<Part> batch;
  /**
   * Recorded forward passes on the last few datasets other than the training batch that
   * predictions were asked for (a train loop alternates between a test and a validation set).
   */
  private final List<Graph> predictionGraphs = new ArrayList<>();
  /** Curvature products with at most this many directions take the fused path, if it applies. */
  private final int fusedMaxDirections;
  /** The fused curvature products, made on the first product; null until then or if unused. */
  private FusedCurvatureProducts fused;
  /** Whether the last curvature product took the fused path. */
  private boolean lastProductFused;
  /**
   * The tape holding the tangent buffers that the last curvature product over parts left, or
   * null: the next product's first part takes them over ({@link Tape#handTangentsTo}), so a run
   * of products allocates them once (about 1 GB for 50 directions on MNIST's parts, too much to
   * allocate and zero afresh for every product).
   */
  private Tape tangentHolder;
  /** The last product's per-part result buffer (P x m), reused by the next one. */
  private double[] partProducts = new double[0];

  /**
   * The recorded function: its tape, the inputs in sparse form when the first layer is the
   * sparse product (else null), the first pre-activation A1, the output pre-activation A2 and
   * the scalar loss.
   */
  private record Graph(Tape tape, Dataset data, CsrMatrix sparseX, Var a1, Var logits, Var loss) {}

  /** The top of the network: logits A2 and the data loss. */
  private record Top(Var logits, Var loss) {}

  /**
   * The data loss over one range of samples, recorded, with the weight of its share of the
   * batch loss and the theta its values (and perhaps adjoints) are current at.
   */
  private static final class Part {
    final Graph graph;
    final double weight;
    double[] valuesAt;
    boolean adjointsCurrent;
    /** The part's loss as a function of its logits alone, for Gauss-Newton products. */
    Var outputLossOfLogits;

    Part(Graph graph, double weight) {
      this.graph = graph;
      this.weight = weight;
    }
  }

  /** Records the loss of {@code config} on {@code data}. */
  public TwoLayerNet(NetworkConfig config, Dataset data) {
    this(config, data, Integer.MAX_VALUE, FUSED_MAX_DIRECTIONS);
  }

  /**
   * As {@link #TwoLayerNet(NetworkConfig, Dataset)}, but with parts of at most {@code
   * maxPartSamples} samples for every evaluation (tests compare split and whole batches), and
   * with the fused curvature products for up to {@code fusedMaxDirections} directions (tests
   * compare them with the tape's sweeps: 0 never takes them).
   */
  TwoLayerNet(NetworkConfig config, Dataset data, int maxPartSamples, int fusedMaxDirections) {
    this.config = config;
    this.data = data;
    this.layout = config.layout();
    // A part weighs n / k in the mean losses (cross-entropy over samples, binary cross-entropy
    // over the n x outputs entries) and 1 in the squared error, which is a sum.
    this.batch = new BatchParts<>(data, config.hidden() + config.outputs(), maxPartSamples,
        (d, n, k) -> new Part(record(config, d),
            config.loss() == Loss.SQUARED_ERROR ? 1.0 : (double) n / k));
    this.fusedMaxDirections = fusedMaxDirections;
    requireFits(config, data, "training data");
    parts(0); // records the batch now, so bad data fails here
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

  /** P, the number of parameters (as {@link #parameterCount()}). */
  @Override
  public int dimension() {
    return layout.size();
  }

  /**
   * Directions per batched sweep: up to 64 (every product a GEMM), at most P. Memory no longer
   * limits it, since products run over parts of the batch sized to the tangent budget.
   */
  @Override
  public int defaultDirectionsPerSweep() {
    return Math.min(MAX_DEFAULT_DIRECTIONS, layout.size());
  }

  /** Samples per part for a sweep with {@code m} directions (see {@link BatchParts}). */
  int samplesPerPart(int m) {
    return batch.samplesPerPart(m);
  }

  /** {@code L(theta)}. */
  @Override
  public double loss(double[] theta) {
    layout.checkLength(theta);
    double loss = l2Penalty(theta);
    for (Part part : parts(0)) {
      forwardAt(part, theta);
      loss += part.weight * part.graph.loss.scalar();
    }
    return loss;
  }

  /** Writes {@code grad L(theta)} into {@code gradient} (length P) and returns {@code L(theta)}. */
  @Override
  public double lossAndGradient(double[] theta, double[] gradient) {
    layout.checkLength(theta);
    layout.checkLength(gradient);
    Arrays.fill(gradient, 0.0);
    addL2Hessian(theta, 1, gradient); // the L2 term's gradient is its Hessian times theta
    double loss = l2Penalty(theta);
    double[] partGradient = new double[gradient.length];
    for (Part part : parts(0)) {
      gradientAt(part, theta);
      part.graph.tape.getAdjoints(partGradient);
      Kernels.axpy(gradient.length, part.weight, partGradient, 0, gradient, 0);
      loss += part.weight * part.graph.loss.scalar();
    }
    return loss;
  }

  /**
   * {@code out = Hess L(theta) V} for {@code m} directions in one forward-over-reverse sweep per
   * part of the batch; {@code v} and {@code out} are exactly {@code P x m} row-major (entry
   * {@code i*m + d} is component {@code i} of direction {@code d}).
   */
  public void hessianTimes(double[] theta, double[] v, int m, double[] out) {
    checkDirections(v, m, out);
    if (fusedAt(theta, m)) {
      fused.times(true, v, m, out);
      addL2Hessian(v, m, out);
      return;
    }
    sumOverParts(theta, v, m, out, (part, partOut) -> {
      gradientAt(part, theta);
      Tape tape = part.graph.tape;
      tape.forwardTangents(m);
      tape.reverseTangents(part.graph.loss, null, m);
      tape.getAdjointTangents(partOut, m);
    });
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
    if (fusedAt(theta, m)) {
      fused.times(false, v, m, out);
      addL2Hessian(v, m, out);
      return;
    }
    sumOverParts(theta, v, m, out, (part, partOut) -> {
      forwardAt(part, theta);
      Tape tape = part.graph.tape;
      Var logits = part.graph.logits;
      int n = logits.size();
      tape.forwardTangents(m);
      double[] jv = new double[n * m];
      tape.getTangents(logits, jv, m);
      double[] hjv = new double[n * m];
      Var outputLoss = outputLossOfLogits(part);
      Hessians.hessianMatrixProduct(outputLoss, logits.value(), jv, m, null, hjv);
      tape.reverse(logits, new double[n]);
      part.adjointsCurrent = false;
      tape.reverseTangents(logits, toTangentLayout(hjv, logits.rows(), logits.cols(), m), m);
      tape.getAdjointTangents(partOut, m);
    });
  }

  /**
   * Whether a curvature product with {@code m} directions at {@code theta} takes the fused path
   * ({@link FusedCurvatureProducts}): up to {@link #FUSED_MAX_DIRECTIONS} directions, for a dense
   * first layer on sparse inputs (the sparse product's criterion) with softmax cross-entropy,
   * when the batch is recorded whole. Makes its per-sample factors current at {@code theta} from
   * the tape's forward pass.
   */
  private boolean fusedAt(double[] theta, int m) {
    lastProductFused = false;
    if (m > fusedMaxDirections || !FusedCurvatureProducts.supports(config)) {
      return false;
    }
    List<Part> whole = parts(0);
    if (whole.size() != 1 || whole.get(0).graph.sparseX() == null) {
      return false;
    }
    layout.checkLength(theta);
    Part part = whole.get(0);
    forwardAt(part, theta);
    Graph g = part.graph;
    if (fused == null) {
      fused = new FusedCurvatureProducts(config, data, g.sparseX());
    }
    fused.setPoint(part.valuesAt, g.a1().value(), g.logits().value());
    lastProductFused = true;
    return true;
  }

  /** Whether the last curvature products took the fused path (for tests). */
  boolean usedFusedProducts() {
    return lastProductFused;
  }

  /**
   * One part's contribution to a curvature product, written to {@code partOut} (P x m), with the
   * directions already in its tape's tangents.
   */
  @FunctionalInterface
  private interface PartProduct {
    void apply(Part part, double[] partOut);
  }

  /**
   * {@code out = sum over parts of weight * product(part) + H_L2 V}, over the parts sized for
   * {@code m} directions; with several parts each part's tangent buffers go to the next part
   * after its sweep, so that only one part's are held, and the last part keeps them for the
   * next product ({@link #tangentHolder}). The directions are loaded into the first part's tape
   * and travel with the buffers.
   */
  private void sumOverParts(double[] theta, double[] v, int m, double[] out, PartProduct product) {
    layout.checkLength(theta);
    List<Part> parts = parts(m);
    Tape first = parts.get(0).graph.tape;
    if (tangentHolder != null && tangentHolder != first) {
      tangentHolder.handTangentsTo(first);
    }
    tangentHolder = first;
    // a single part is the whole batch, of weight 1: it writes straight into out
    double[] partOut = out;
    if (parts.size() > 1) {
      if (partProducts.length != out.length) {
        partProducts = new double[out.length];
      }
      partOut = partProducts;
      Arrays.fill(out, 0.0);
    }
    for (int i = 0; i < parts.size(); i++) {
      Part part = parts.get(i);
      Tape tape = part.graph.tape;
      if (i == 0 || !tape.holdsLoadedTangents(m)) {
        tape.setTangents(v, m);
      }
      product.apply(part, partOut);
      if (parts.size() > 1) {
        Kernels.axpy(out.length, part.weight, partOut, 0, out, 0);
        // the next part (same graph, other samples) reuses the buffers rather than allocating
        if (i + 1 < parts.size()) {
          tangentHolder = parts.get(i + 1).graph.tape;
          tape.handTangentsTo(tangentHolder);
        }
        if (part.outputLossOfLogits != null) {
          part.outputLossOfLogits.tape().releaseTangents();
        }
      }
    }
    addL2Hessian(v, m, out);
  }

  /** {@code C V} for the chosen curvature matrix: {@link #hessianTimes} or {@link #gaussNewtonTimes}. */
  @Override
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
  @Override
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
  @Override
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
    return top(tape, c, a1, w2, b2, targets, false).loss();
  }

  // ---- recording ----

  /** Inputs with more zeros than this go through the sparse product (MNIST: about 81% zeros). */
  private static final double SPARSE_INPUT_ZERO_FRACTION = 0.5;

  /**
   * The first-layer pre-activation {@code X W1 + 1 b1} ({@code X + 1 b1} without {@code W1}),
   * through the compressed-sparse-row affine op when most inputs are zero: the work and memory
   * traffic then scale with the lit pixels only, in every sweep, and the bias rides along in the
   * product instead of costing passes of its own over the {@code k x hidden} tangents. {@code
   * sparseX} is the inputs in that form, or null for the dense product.
   */
  private static Var firstLayer(Var x, CsrMatrix sparseX, Var w1, Var b1) {
    if (w1 == null) {
      return Ops.addRowBroadcast(x, b1);
    }
    if (sparseX != null) {
      return Ops.sparseAffine(sparseX, w1, b1);
    }
    return Ops.addRowBroadcast(Ops.matmul(x, w1), b1);
  }

  /** {@code d}'s inputs in sparse form when a dense first layer takes the sparse product. */
  private static CsrMatrix sparseInputs(NetworkConfig c, Dataset d) {
    return c.denseFirstLayer() && CsrMatrix.zeroFraction(d.x()) > SPARSE_INPUT_ZERO_FRACTION
        ? CsrMatrix.fromDense(d.x(), d.k(), d.inputs())
        : null;
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
    CsrMatrix sparseX = sparseInputs(c, d);
    Var a1 = firstLayer(x, sparseX, w1, b1);
    Top top = top(tape, c, a1, w2, b2, t, true);
    return new Graph(tape, d, sparseX, a1, top.logits(), top.loss());
  }

  /**
   * The top of the network on {@code a1}. With {@code fusedHidden} the activation and the output
   * product are one op ({@link Ops#matmulActivated}), whose second-order sweeps never hold the
   * {@code k x (m hidden)} tangents of the activation as whole arrays; the net's own tapes use
   * it, {@link #buildTop} keeps the two ops.
   */
  private static Top top(Tape tape, NetworkConfig c, Var a1, Var w2, Var b2, Var targets,
      boolean fusedHidden) {
    requireShape(tape, "a1", a1, a1.rows(), c.hidden());
    int k = a1.rows();
    requireShape(tape, "W2", w2, c.hidden(), c.outputs());
    requireShape(tape, "b2", b2, 1, c.outputs());
    requireShape(tape, "targets", targets, k, c.outputs());
    Var hiddenTimesW2;
    if (fusedHidden) {
      hiddenTimesW2 = Ops.matmulActivated(a1, c.activation().function(), w2);
    } else {
      Var z1 =
          switch (c.activation()) {
            case SIGMOID -> Ops.sigmoid(a1);
            case TANH -> Ops.tanh(a1);
            case RELU -> Ops.relu(a1);
          };
      hiddenTimesW2 = Ops.matmul(z1, w2);
    }
    Var logits = Ops.addRowBroadcast(hiddenTimesW2, b2);
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

  /**
   * The L2 term {@code (l2/(2k)) (||W1||^2 + ||W2||^2)} (W1 is empty for a bias-only first
   * layer); it does not depend on the data, so it is added once, outside the parts.
   */
  private double l2Penalty(double[] theta) {
    if (config.l2() == 0) {
      return 0;
    }
    double sum = 0;
    for (Block b : new Block[] {Block.W1, Block.W2}) {
      int from = layout.offset(b);
      sum += Kernels.dot(layout.length(b), theta, from, theta, from);
    }
    return 0.5 * config.l2() / data.k() * sum;
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

  /** The part's data loss as a function of its logits alone (a small tape, made on demand). */
  private Var outputLossOfLogits(Part part) {
    if (part.outputLossOfLogits == null) {
      Dataset d = part.graph.data;
      Tape small = new Tape();
      Var logits = small.variable(d.k(), config.outputs());
      Var targets = small.constant(d.targets(), d.k(), config.outputs());
      part.outputLossOfLogits = outputLoss(config, logits, targets);
    }
    return part.outputLossOfLogits;
  }

  // ---- parts of the batch ----

  /** The batch split into parts for sweeps with {@code m} directions, recorded on first use. */
  private List<Part> parts(int m) {
    return batch.parts(m);
  }

  // ---- evaluation state ----

  /** Makes the values of a part's graph current at {@code theta}. */
  private static void forwardAt(Part part, double[] theta) {
    if (part.valuesAt != null && Arrays.equals(part.valuesAt, theta)) {
      return;
    }
    part.graph.tape.setVariables(theta);
    part.graph.tape.forward();
    part.valuesAt = theta.clone();
    part.adjointsCurrent = false;
  }

  /** Makes a part's values and adjoints (its gradient) current at {@code theta}. */
  private static void gradientAt(Part part, double[] theta) {
    forwardAt(part, theta);
    if (!part.adjointsCurrent) {
      part.graph.tape.reverse(part.graph.loss, null);
      part.adjointsCurrent = true;
    }
  }

  private Var logitsAt(double[] theta, Dataset samples) {
    List<Part> whole = parts(0);
    if (samples == data && whole.size() == 1) {
      forwardAt(whole.get(0), theta);
      return whole.get(0).graph.logits;
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
