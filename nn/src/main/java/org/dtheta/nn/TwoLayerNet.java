package org.dtheta.nn;

import java.util.ArrayList;
import java.util.List;
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
 * layout order, so a tape's flat parameter vector is theta itself ({@link ParamLayout}), over
 * parts of the batch with the tangent budget and hand-over every net shares ({@link
 * BatchLoss}); every call replays them.
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

  /** How many other datasets keep their recorded forward pass for predictions. */
  private static final int PREDICTION_GRAPHS = 2;

  private final NetworkConfig config;
  private final Dataset data;
  private final ParamLayout layout;
  /** The loss over the batch, recorded in parts, with its derivatives. */
  private final BatchLoss<Graph> batch;
  /** The batch's inputs (sparse once tested), shared with the batch's parts. */
  private final FirstLayer.Batch inputs;
  /**
   * Recorded forward passes on the last few datasets other than the training batch that
   * predictions were asked for (a train loop alternates between a test and a validation set).
   */
  private final List<Prediction> predictionGraphs = new ArrayList<>();
  /** Curvature products with at most this many directions take the fused path, if it applies. */
  private final int fusedMaxDirections;
  /** The fused curvature products, made on the first product; null until then or if unused. */
  private FusedCurvatureProducts fused;
  /** Whether the last curvature product took the fused path. */
  private boolean lastProductFused;
  /**
   * The recorded function: its tape, its targets, the inputs in sparse form when the first layer
   * is the sparse product (else null), the first pre-activation A1, the output pre-activation A2
   * and the scalar loss.
   */
  private record Graph(Tape tape, double[] targets, CsrMatrix sparseX, Var a1, Var logits,
      Var loss) implements BatchLoss.Graph {}

  /** A forward pass recorded on {@code samples} for predictions. */
  private record Prediction(Dataset samples, Graph graph) {}

  /**
   * The nodes of a recorded top ({@link #buildTopNodes}): the hidden activations {@code Z1 =
   * act(A1)} ({@code k x hidden}; null where the activation is fused into the output layer's
   * product, which only the training graph does), the logits {@code A2 = Z1 W2 + 1 b2} ({@code k x
   * outputs}) and the data loss.
   *
   * @param hidden the hidden activations, or null when fused
   * @param logits the output layer's pre-activation
   * @param loss the data loss (a scalar)
   */
  public record TopNodes(Var hidden, Var logits, Var loss) {}

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
    requireFits(config, data, "training data");
    // A part weighs n / k in the mean losses (cross-entropy over samples, binary cross-entropy
    // over the n x outputs entries) and 1 in the squared error, which is a sum.
    FirstLayer.Batch inputs = new FirstLayer.Batch(data, config.denseFirstLayer());
    this.inputs = inputs;
    this.batch = new BatchLoss<>(data, layout.size(), config.hidden() + config.outputs(),
        maxPartSamples, config.loss() != Loss.SQUARED_ERROR,
        (d, first, n, theta) -> record(config, inputs.part(first, n), theta),
        (logits, targets) -> outputLoss(config, logits, targets),
        new WeightDecay(config.l2(), data.k(),
            new int[] {layout.offset(Block.W1), layout.offset(Block.W2)},
            new int[] {layout.length(Block.W1), layout.length(Block.W2)}));
    this.fusedMaxDirections = fusedMaxDirections;
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
    return batch.defaultDirectionsPerSweep();
  }

  /** Samples per part for a sweep with {@code m} directions (see {@link BatchParts}). */
  int samplesPerPart(int m) {
    return batch.samplesPerPart(m);
  }

  /** {@code L(theta)}. */
  @Override
  public double loss(double[] theta) {
    return batch.loss(theta);
  }

  /** Writes {@code grad L(theta)} into {@code gradient} (length P) and returns {@code L(theta)}. */
  @Override
  public double lossAndGradient(double[] theta, double[] gradient) {
    return batch.lossAndGradient(theta, gradient);
  }

  /**
   * {@code out = Hess L(theta) V} for {@code m} directions in one forward-over-reverse sweep per
   * part of the batch; {@code v} and {@code out} are exactly {@code P x m} row-major (entry
   * {@code i*m + d} is component {@code i} of direction {@code d}).
   */
  public void hessianTimes(double[] theta, double[] v, int m, double[] out) {
    batch.checkDirections(theta, v, m, out);
    if (fusedAt(theta, m)) {
      fused.times(true, v, m, out);
      batch.addWeightDecayHessian(v, m, out);
    } else {
      batch.hessianTimes(theta, v, m, out);
    }
  }

  /**
   * {@code out = G(theta) V}, the Gauss-Newton matrix {@code J^T H_out J} (plus the L2 term's
   * Hessian) times {@code m} directions ({@code P x m} row-major, as {@link #hessianTimes}),
   * through the logits {@code A2} as {@link BatchLoss} computes it.
   */
  public void gaussNewtonTimes(double[] theta, double[] v, int m, double[] out) {
    batch.checkDirections(theta, v, m, out);
    if (fusedAt(theta, m)) {
      fused.times(false, v, m, out);
      batch.addWeightDecayHessian(v, m, out);
    } else {
      batch.gaussNewtonTimes(theta, v, m, out);
    }
  }

  /**
   * The fused path's structures over the inputs ({@link FusedCurvatureProducts}: the transposed
   * blocks and row pairs of the sparse inputs) when products of {@code directions} directions
   * would take it; else the parts of the batch that batched sweeps of that many directions (at
   * most {@link #defaultDirectionsPerSweep}) run over, and the index structures of their sparse
   * inputs' products ({@link CsrMatrix#prepareProducts}).
   */
  @Override
  public void prepareCurvatureProducts(int directions) {
    if (directions < 1) {
      return;
    }
    if (directions > fusedMaxDirections || !FusedCurvatureProducts.supports(config)) {
      int m = Math.min(directions, defaultDirectionsPerSweep());
      // a sweep's X products have the first layer's tangents, hidden x m wide, as B
      batch.prepareSweeps(m, g -> {
        if (g.sparseX() != null) {
          g.sparseX().prepareProducts(config.hidden() * m);
        }
      });
      return;
    }
    if (fused != null) {
      return;
    }
    CsrMatrix x = inputs.part(0, data.k()).sparseX();
    if (x != null) {
      fused = new FusedCurvatureProducts(config, data, x);
    }
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
    BatchLoss.Part<Graph> whole = batch.wholeBatchAt(theta);
    if (whole == null || whole.graph.sparseX() == null) {
      return false;
    }
    Graph g = whole.graph;
    prepareCurvatureProducts(m); // the whole batch's sparse inputs are g's
    fused.setPoint(whole.point(), g.a1().value(), g.logits().value());
    lastProductFused = true;
    return true;
  }

  /** Whether the last curvature products took the fused path (for tests). */
  boolean usedFusedProducts() {
    return lastProductFused;
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
      outputRow(logits.value(), i * c, y, i * c);
    }
    return y;
  }

  /** The outputs of one row, {@code c} of them, from its logits. */
  private void outputRow(double[] logits, int from, double[] y, int to) {
    int c = config.outputs();
    switch (config.output()) {
      case SOFTMAX -> Kernels.softmaxRow(c, logits, from, y, to);
      case SIGMOID -> Kernels.map(UnaryFunction.SIGMOID, c, logits, from, y, to);
      case IDENTITY -> Kernels.copy(c, logits, from, y, to);
    }
  }

  /**
   * The fraction of {@code samples} classified right: the largest output against the largest
   * target of each row, or, with a single output, {@code y >= 1/2} against {@code t >= 1/2}.
   */
  @Override
  public double accuracy(double[] theta, Dataset samples) {
    int c = config.outputs();
    if (c > 1 && config.output() != OutputLayer.SIGMOID) {
      // softmax and identity keep the logits' order (a sigmoid saturates to equal outputs)
      return Accuracy.fraction(logitsAt(theta, samples).value(), c, samples.targets(),
          samples.k(), (logits, from, out) -> outputRow(logits, from, out, 0));
    }
    double[] y = predict(theta, samples);
    int right = 0;
    for (int i = 0; i < samples.k(); i++) {
      boolean hit =
          c == 1
              ? (y[i] >= 0.5) == (samples.targets()[i] >= 0.5)
              : Accuracy.argmax(y, i * c, c) == Accuracy.argmax(samples.targets(), i * c, c);
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

  /**
   * {@link #buildTop}, returning the hidden activations and the logits too, so that their values
   * and derivatives can be read after the tape's sweeps (the structured Hessian's second-layer
   * columns are built from them).
   */
  public static TopNodes buildTopNodes(Tape tape, NetworkConfig c, Var a1, Var w2, Var b2,
      Var targets) {
    return top(tape, c, a1, w2, b2, targets, false);
  }

  // ---- recording ----

  /**
   * The first-layer pre-activation: {@code X + 1 b1} without {@code W1}, else {@code X W1 + 1 b1}
   * ({@link FirstLayer}, sparse when {@code sparseX} is not null).
   */
  private static Var firstLayer(Var x, CsrMatrix sparseX, Var w1, Var b1) {
    return w1 == null ? Ops.addRowBroadcast(x, b1) : FirstLayer.affine(x, sparseX, w1, b1);
  }

  /** Records the loss of {@code c} on all of {@code d}. */
  private static Graph record(NetworkConfig c, Dataset d) {
    return record(c, new FirstLayer.Batch(d, c.denseFirstLayer()).part(0, d.k()), null);
  }

  /**
   * Records the loss of {@code c} on the samples of {@code d}, evaluated at {@code theta} (null:
   * at zero parameters).
   */
  private static Graph record(NetworkConfig c, FirstLayer.Part d, double[] theta) {
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
    if (theta != null) {
      tape.setVariables(theta);
    }
    CsrMatrix sparseX = c.denseFirstLayer() ? d.sparseX() : null;
    Var x = sparseX == null ? tape.constant(d.x(), d.n(), c.inputs()) : null;
    Var t = tape.constant(d.targets(), d.n(), c.outputs());
    Var a1 = firstLayer(x, sparseX, w1, b1);
    TopNodes top = top(tape, c, a1, w2, b2, t, true);
    return new Graph(tape, d.targets(), sparseX, a1, top.logits(), top.loss());
  }

  /**
   * The top of the network on {@code a1}. With {@code fusedHidden} the activation and the output
   * product are one op ({@link Ops#matmulActivated}), whose second-order sweeps never hold the
   * {@code k x (m hidden)} tangents of the activation as whole arrays; the net's own tapes use
   * it, {@link #buildTop} keeps the two ops.
   */
  private static TopNodes top(Tape tape, NetworkConfig c, Var a1, Var w2, Var b2, Var targets,
      boolean fusedHidden) {
    requireShape(tape, "a1", a1, a1.rows(), c.hidden());
    int k = a1.rows();
    requireShape(tape, "W2", w2, c.hidden(), c.outputs());
    requireShape(tape, "b2", b2, 1, c.outputs());
    requireShape(tape, "targets", targets, k, c.outputs());
    Var hiddenTimesW2;
    Var z1 = null;
    if (fusedHidden) {
      hiddenTimesW2 = Ops.matmulActivated(a1, c.activation().function(), w2);
    } else {
      z1 =
          switch (c.activation()) {
            case SIGMOID -> Ops.sigmoid(a1);
            case TANH -> Ops.tanh(a1);
            case RELU -> Ops.relu(a1);
          };
      hiddenTimesW2 = Ops.matmul(z1, w2);
    }
    Var logits = Ops.addRowBroadcast(hiddenTimesW2, b2);
    return new TopNodes(z1, logits, outputLoss(c, logits, targets));
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

  // ---- evaluation state ----

  private Var logitsAt(double[] theta, Dataset samples) {
    if (samples == data) {
      BatchLoss.Part<Graph> whole = batch.wholeBatchAt(theta);
      if (whole != null) {
        return whole.graph.logits();
      }
    }
    layout.checkLength(theta);
    // the same Dataset object (its arrays are wrapped, so contents are the caller's to keep)
    Graph g = null;
    for (Prediction candidate : predictionGraphs) {
      g = candidate.samples() == samples ? candidate.graph() : g;
    }
    if (g == null) {
      requireFits(config, samples, "samples");
      g = record(config, samples);
      if (predictionGraphs.size() == PREDICTION_GRAPHS) {
        predictionGraphs.remove(0); // the oldest
      }
      predictionGraphs.add(new Prediction(samples, g));
    }
    g.tape.setVariables(theta);
    g.tape.forward();
    return g.logits;
  }

  // ---- helpers ----

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
