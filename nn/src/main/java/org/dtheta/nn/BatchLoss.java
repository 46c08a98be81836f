package org.dtheta.nn;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.dtheta.core.Hessians;
import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.dtheta.core.kernel.Kernels;

/**
 * The training loss of a network of any depth over its full batch, with its exact gradient,
 * Hessian and Gauss-Newton products: the machinery {@link TwoLayerNet} and {@link Mlp} share,
 * each giving only how its data loss is recorded ({@link Recorder}) and the L2 term.
 *
 * <p>The data loss is a sum over samples, so the batch is recorded in parts (sample ranges, one
 * tape each, {@link BatchParts}) whose values, gradients and products are summed with the weight
 * of their share of the batch, in sample order on the calling thread, so the bits do not depend
 * on threads. Products with {@code m} directions run over parts sized to one tangent budget;
 * each part hands its tangent buffers to the next after its sweep and the last keeps them for
 * the next product, so one part's set is held and a run of products allocates it once (fresh
 * buffers cost page faults and zeroing on every product). Values and adjoints are kept per part
 * for the last theta evaluated, so a run of products at one point (Lanczos, a dense Jacobian)
 * pays for one gradient only: the nets' form of {@link Hessians#at}'s linearise-once, which
 * cannot hand buffers between tapes.
 *
 * @param <G> what the net records on one part
 */
final class BatchLoss<G extends BatchLoss.Graph> {

  /** The most directions a default sweep carries (enough to make every product a GEMM). */
  static final int MAX_DEFAULT_DIRECTIONS = 64;

  /** What a net records on one part of the batch: variables in layout order, logits, loss. */
  interface Graph {
    /** The part's tape; its flat parameter vector is theta. */
    Tape tape();

    /** The part's targets ({@code samples x outputs}, the logits' shape). */
    double[] targets();

    /** The output pre-activations ({@code samples x outputs}). */
    Var logits();

    /** The data loss over the part's samples, scaled as over the whole batch's. */
    Var loss();
  }

  /** Records a net's data loss over some samples. */
  @FunctionalInterface
  interface Recorder<G> {
    /**
     * The recorded loss over samples {@code [first, first + n)} of {@code batch}, scaled as over
     * those {@code n} samples alone, its variables set to {@code theta} before the ops are
     * recorded (null: left at zero), so that its values are those at {@code theta}.
     */
    G record(Dataset batch, int first, int n, double[] theta);
  }

  /** The data loss as a function of the logits alone, for Gauss-Newton products. */
  @FunctionalInterface
  interface OutputLoss {
    /** The loss of {@code logits} (a variable) against {@code targets} (a constant). */
    Var of(Var logits, Var targets);
  }

  /** One recorded part, with its weight and the theta its values (and adjoints) are current at. */
  static final class Part<G extends Graph> {
    final G graph;
    final double weight;
    private double[] valuesAt;
    private boolean adjointsCurrent;
    /** The part's loss as a function of its logits alone, on a small tape, made on demand. */
    private Var outputLossOfLogits;

    private Part(G graph, double weight, double[] recordedAt) {
      this.graph = graph;
      this.weight = weight;
      this.valuesAt = recordedAt == null ? null : recordedAt.clone();
    }

    /** The theta the part's values are current at (the same array until theta changes). */
    double[] point() {
      return valuesAt;
    }
  }

  /** One part's contribution to a product, into {@code partOut}, with its tangents loaded. */
  @FunctionalInterface
  private interface PartProduct<G extends Graph> {
    void apply(Part<G> part, double[] partOut);
  }

  private final int dimension;
  private final BatchParts<Part<G>> batch;
  private final OutputLoss outputLoss;
  private final WeightDecay weightDecay;
  /**
   * The tape holding the tangent buffers the last product over parts left, or null: the next
   * product's first part takes them over ({@link Tape#handTangentsTo}).
   */
  private Tape tangentHolder;
  /** The last product's per-part result buffer (P x m), reused by the next one. */
  private double[] partProducts = new double[0];

  /**
   * The loss of a net with {@code dimension} parameters on {@code data}, whose layers after the
   * input have {@code width} units in all, recorded by {@code recorder} in parts of at most
   * {@code maxPartSamples} samples. With {@code meanOverSamples} a part of {@code n} of the
   * {@code k} samples weighs {@code n/k} (mean losses), else 1 (a sum). Records the whole batch
   * now, so bad data fails here.
   */
  BatchLoss(Dataset data, int dimension, int width, int maxPartSamples, boolean meanOverSamples,
      Recorder<G> recorder, OutputLoss outputLoss, WeightDecay weightDecay) {
    this.dimension = dimension;
    this.outputLoss = outputLoss;
    this.weightDecay = weightDecay;
    this.batch = new BatchParts<>(data, width, maxPartSamples,
        (d, first, n, theta) -> new Part<>(recorder.record(d, first, n, theta),
            meanOverSamples ? (double) n / d.k() : 1.0, theta));
    batch.parts(0);
  }

  /** Directions per batched sweep: up to {@link #MAX_DEFAULT_DIRECTIONS}, at most P. */
  int defaultDirectionsPerSweep() {
    return Math.min(MAX_DEFAULT_DIRECTIONS, dimension);
  }

  /** Samples per part for a sweep with {@code m} directions (see {@link BatchParts}). */
  int samplesPerPart(int m) {
    return batch.samplesPerPart(m);
  }

  /**
   * Records now, at no point, the parts that sweeps with {@code m} directions run over (a product
   * records them on first use at its theta; after this it moves their values to its theta by a
   * forward pass), hands each part's graph to {@code prepare}, for what else such sweeps
   * build on first use, and allocates the tangent buffers the parts' sweeps pass along.
   */
  void prepareSweeps(int m, Consumer<G> prepare) {
    List<Part<G>> parts = batch.parts(m);
    for (Part<G> part : parts) {
      prepare.accept(part.graph);
    }
    // The one set of tangent buffers the parts pass along, allocated (and zeroed) now.
    tangentsToFirst(parts).reserveTangents(m);
  }

  /** {@code L(theta)}. */
  double loss(double[] theta) {
    checkLength("theta", theta);
    double loss = weightDecay.penalty(theta);
    for (Part<G> part : batch.parts(0)) {
      forwardAt(part, theta);
      loss += part.weight * part.graph.loss().scalar();
    }
    return loss;
  }

  /** Writes {@code grad L(theta)} into {@code gradient} (length P) and returns {@code L(theta)}. */
  double lossAndGradient(double[] theta, double[] gradient) {
    checkLength("theta", theta);
    checkLength("gradient", gradient);
    Arrays.fill(gradient, 0.0);
    weightDecay.addHessianTimes(theta, 1, gradient);
    double loss = weightDecay.penalty(theta);
    double[] partGradient = new double[gradient.length];
    for (Part<G> part : batch.parts(0)) {
      gradientAt(part, theta);
      part.graph.tape().getAdjoints(partGradient);
      Kernels.axpy(gradient.length, part.weight, partGradient, 0, gradient, 0);
      loss += part.weight * part.graph.loss().scalar();
    }
    return loss;
  }

  /** {@code out = Hess L(theta) V}, one forward-over-reverse sweep per part ({@code P x m}). */
  void hessianTimes(double[] theta, double[] v, int m, double[] out) {
    checkDirections(theta, v, m, out);
    sumOverParts(theta, v, m, out, (part, partOut) -> {
      gradientAt(part, theta);
      Tape tape = part.graph.tape();
      tape.forwardTangents(m);
      tape.reverseTangents(part.graph.loss(), null, m);
      tape.getAdjointTangents(partOut, m);
    });
  }

  /**
   * {@code out = G(theta) V}, the Gauss-Newton matrix {@code J^T H_out J} plus the L2 term's
   * Hessian ({@code P x m}): the logits' tangents give {@code J V}; the Hessian of the loss as a
   * function of the logits alone (a small tape) gives {@code H_out J V}; a second-order reverse
   * sweep seeded at the logits with every adjoint zero gives {@code J^T (H_out J V)}, the zero
   * adjoints removing exactly the terms that carry the network's own second derivatives.
   */
  void gaussNewtonTimes(double[] theta, double[] v, int m, double[] out) {
    checkDirections(theta, v, m, out);
    sumOverParts(theta, v, m, out, (part, partOut) -> {
      forwardAt(part, theta);
      Tape tape = part.graph.tape();
      Var logits = part.graph.logits();
      int n = logits.size();
      tape.forwardTangents(m);
      double[] jv = new double[n * m];
      tape.getTangents(logits, jv, m);
      double[] hjv = new double[n * m];
      Hessians.hessianMatrixProduct(outputLossOfLogits(part), logits.value(), jv, m, null, hjv);
      tape.reverse(logits, new double[n]);
      part.adjointsCurrent = false;
      tape.reverseTangents(logits, toTangentLayout(hjv, logits.rows(), logits.cols(), m), m);
      tape.getAdjointTangents(partOut, m);
    });
  }

  /**
   * The batch recorded as one part with its values current at {@code theta}, or null if the
   * batch is recorded in several parts (for the nets' own paths over the whole batch).
   */
  Part<G> wholeBatchAt(double[] theta) {
    List<Part<G>> whole = batch.parts(0);
    if (whole.size() != 1) {
      return null;
    }
    checkLength("theta", theta);
    forwardAt(whole.get(0), theta);
    return whole.get(0);
  }

  /** {@code out += H_L2 V}. */
  void addWeightDecayHessian(double[] v, int m, double[] out) {
    weightDecay.addHessianTimes(v, m, out);
  }

  /**
   * {@code out = sum over parts of weight * product(part) + H_L2 V}; the directions are loaded
   * into the first part's tape and travel with the buffers from part to part.
   */
  private void sumOverParts(double[] theta, double[] v, int m, double[] out,
      PartProduct<G> product) {
    List<Part<G>> parts = batch.parts(m, theta);
    tangentsToFirst(parts);
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
      Part<G> part = parts.get(i);
      Tape tape = part.graph.tape();
      if (i == 0 || !tape.holdsLoadedTangents(m)) {
        tape.setTangents(v, m);
      }
      product.apply(part, partOut);
      if (parts.size() > 1) {
        Kernels.axpy(out.length, part.weight, partOut, 0, out, 0);
        if (i + 1 < parts.size()) {
          tangentHolder = parts.get(i + 1).graph.tape();
          tape.handTangentsTo(tangentHolder);
        }
        if (part.outputLossOfLogits != null) {
          part.outputLossOfLogits.tape().releaseTangents();
        }
      }
    }
    weightDecay.addHessianTimes(v, m, out);
  }

  /** Moves the tangent buffers, wherever the last product left them, to the first part's tape. */
  private Tape tangentsToFirst(List<Part<G>> parts) {
    Tape first = parts.get(0).graph.tape();
    if (tangentHolder != null && tangentHolder != first) {
      tangentHolder.handTangentsTo(first);
    }
    tangentHolder = first;
    return first;
  }

  private Var outputLossOfLogits(Part<G> part) {
    if (part.outputLossOfLogits == null) {
      Var logits = part.graph.logits();
      Tape small = new Tape();
      Var z = small.variable(logits.rows(), logits.cols());
      part.outputLossOfLogits = outputLoss.of(
          z, small.constant(part.graph.targets(), logits.rows(), logits.cols()));
    }
    return part.outputLossOfLogits;
  }

  /** Makes the values of a part's graph current at {@code theta}. */
  private static void forwardAt(Part<?> part, double[] theta) {
    if (part.valuesAt != null && Arrays.equals(part.valuesAt, theta)) {
      return;
    }
    Tape tape = part.graph.tape();
    tape.setVariables(theta);
    tape.forward();
    part.valuesAt = theta.clone();
    part.adjointsCurrent = false;
  }

  /** Makes a part's values and adjoints (its gradient) current at {@code theta}. */
  private static void gradientAt(Part<?> part, double[] theta) {
    forwardAt(part, theta);
    if (!part.adjointsCurrent) {
      part.graph.tape().reverse(part.graph.loss(), null);
      part.adjointsCurrent = true;
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

  /** Exactly P entries, or an {@link IllegalArgumentException} naming the array. */
  void checkLength(String name, double[] a) {
    if (a.length != dimension) {
      throw new IllegalArgumentException(
          name + " has " + a.length + " entries, expected P = " + dimension);
    }
  }

  /** A point of P entries, {@code m >= 1} and direction and result arrays of exactly P x m. */
  void checkDirections(double[] theta, double[] v, int m, double[] out) {
    checkLength("theta", theta);
    if (m < 1) {
      throw new IllegalArgumentException("direction count must be >= 1, not " + m);
    }
    long expected = (long) dimension * m;
    if (v.length != expected || out.length != expected) {
      throw new IllegalArgumentException("directions and result must be P x m = " + dimension
          + " x " + m + " (" + expected + " entries), got " + v.length + " and " + out.length);
    }
  }
}
