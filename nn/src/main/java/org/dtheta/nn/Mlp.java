package org.dtheta.nn;

import java.util.Arrays;
import org.dtheta.core.Ops;
import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.sparse.CsrMatrix;

/**
 * The training loss of a multilayer perceptron of any depth on one full batch, with its exact
 * gradient and Hessian products: sizes {@code n, h1, ..., hL, c} ({@code L >= 1} hidden
 * layers), {@code A1 = X W1 + 1 b1}, {@code A(l+1) = act(Al) W(l+1) + 1 b(l+1)} with one hidden
 * activation ({@link Activation}), softmax output and cross-entropy (mean over the k samples,
 * as {@link Presets#mnist()}), plus the L2 term {@code (l2/(2k)) sum_l ||Wl||^2} over every
 * weight matrix (not the biases), as {@link NetworkConfig} defines it for two layers. With one
 * hidden layer it is the loss of {@link TwoLayerNet} for the same sizes, activation and L2.
 *
 * <p>Parameter layout ({@link Layout}): {@code W1, b1, W2, b2, ..., W(L+1), b(L+1)}, each
 * {@code Wl} row-major {@code size(l-1) x size(l)} (inputs x outputs), each {@code bl} {@code 1 x
 * size(l)}.
 *
 * <p>The data loss is recorded once per part of the batch and replayed, with the tangent budget,
 * hand-over and per-point caching every net shares ({@link BatchLoss}): a run of products at
 * one point (Lanczos, a dense Jacobian) pays for one forward and one reverse sweep, and part
 * results are summed in sample order on the calling thread, so the bits do not depend on
 * threads. The L2 term does not depend on the data and is added in closed form.
 *
 * <p>The dataset's arrays are wrapped, not copied: do not change them while the objective is in
 * use. Not thread-safe.
 */
public final class Mlp implements Classifier {

  /**
   * Where each layer's parameters sit in theta: {@code W1, b1, ..., W(L+1), b(L+1)}, layer
   * {@code l} (1-based, {@code 1..L+1}) mapping {@code size(l-1)} inputs to {@code size(l)}
   * outputs, its weights row-major {@code inputs x outputs}.
   */
  public static final class Layout {
    private final int[] sizes;
    private final int[] offsets;

    /** The layout of an MLP with layer widths {@code sizes = {n, h1, ..., hL, c}}. */
    public Layout(int... sizes) {
      if (sizes.length < 3) {
        throw new IllegalArgumentException(
            "an MLP needs sizes n, h1, ..., hL, c with at least one hidden layer, got "
                + Arrays.toString(sizes));
      }
      for (int s : sizes) {
        if (s < 1) {
          throw new IllegalArgumentException("sizes must be positive: " + Arrays.toString(sizes));
        }
      }
      this.sizes = sizes.clone();
      this.offsets = new int[sizes.length];
      long at = 0;
      for (int l = 1; l < sizes.length; l++) {
        offsets[l - 1] = (int) at;
        at += (long) sizes[l - 1] * sizes[l] + sizes[l];
        if (at > Integer.MAX_VALUE - 8) {
          throw new IllegalArgumentException("too many parameters: " + Arrays.toString(sizes));
        }
      }
      offsets[sizes.length - 1] = (int) at;
    }

    /** The widths {@code n, h1, ..., hL, c} (a copy). */
    public int[] sizes() {
      return sizes.clone();
    }

    /** L + 1, the number of weight layers. */
    public int layers() {
      return sizes.length - 1;
    }

    /** P, the number of parameters. */
    public int size() {
      return offsets[sizes.length - 1];
    }

    /** Width of the input of layer {@code l} (1-based). */
    public int inputs(int l) {
      check(l);
      return sizes[l - 1];
    }

    /** Width of the output of layer {@code l} (1-based). */
    public int outputs(int l) {
      check(l);
      return sizes[l];
    }

    /** Offset of {@code Wl} in theta. */
    public int weightOffset(int l) {
      check(l);
      return offsets[l - 1];
    }

    /** {@code size(l-1) * size(l)}, the length of {@code Wl}. */
    public int weightLength(int l) {
      check(l);
      return sizes[l - 1] * sizes[l];
    }

    /** Offset of {@code bl} in theta (right after {@code Wl}). */
    public int biasOffset(int l) {
      return weightOffset(l) + weightLength(l);
    }

    /** {@code size(l)}, the length of {@code bl}. */
    public int biasLength(int l) {
      return outputs(l);
    }

    private void check(int l) {
      if (l < 1 || l > layers()) {
        throw new IndexOutOfBoundsException("layer " + l + " of 1.." + layers());
      }
    }

    @Override
    public String toString() {
      return "Mlp.Layout" + Arrays.toString(sizes) + " (P = " + size() + ")";
    }
  }

  private final Layout layout;
  private final Activation activation;
  private final double l2;
  private final Dataset data;
  /** The loss over the batch, recorded in parts, with its derivatives. */
  private final BatchLoss<Part> batch;

  /** The data loss over one range of samples, recorded. */
  private record Part(Tape tape, double[] targets, Var logits, Var loss)
      implements BatchLoss.Graph {}

  /**
   * The loss of the MLP with widths {@code sizes = {n, h1, ..., hL, c}}, hidden activation
   * {@code activation} and L2 coefficient {@code l2} on {@code data} ({@code n} inputs, {@code
   * c} one-hot target columns).
   */
  public Mlp(int[] sizes, Activation activation, double l2, Dataset data) {
    this(sizes, activation, l2, data, Integer.MAX_VALUE);
  }

  /** As the public constructor, with parts of at most {@code maxPartSamples} samples (tests). */
  Mlp(int[] sizes, Activation activation, double l2, Dataset data, int maxPartSamples) {
    this.layout = new Layout(sizes);
    if (!(l2 >= 0) || !Double.isFinite(l2)) {
      throw new IllegalArgumentException("l2 must be a finite number >= 0, not " + l2);
    }
    if (data.inputs() != sizes[0] || data.outputs() != sizes[sizes.length - 1]) {
      throw new IllegalArgumentException("data has " + data.inputs() + " inputs and "
          + data.outputs() + " target columns; the MLP " + Arrays.toString(sizes) + " needs "
          + sizes[0] + " and " + sizes[sizes.length - 1]);
    }
    this.activation = activation;
    this.l2 = l2;
    this.data = data;
    int width = 0;
    for (int l = 1; l <= layout.layers(); l++) {
      width += layout.outputs(l);
    }
    int[] weightOffsets = new int[layout.layers()];
    int[] weightLengths = new int[layout.layers()];
    for (int l = 1; l <= layout.layers(); l++) {
      weightOffsets[l - 1] = layout.weightOffset(l);
      weightLengths[l - 1] = layout.weightLength(l);
    }
    // cross-entropy is a mean over samples: a part of n samples weighs n / k
    FirstLayer.Batch inputs = new FirstLayer.Batch(data, true);
    this.batch = new BatchLoss<>(data, layout.size(), width, maxPartSamples, true,
        (d, first, n, theta) -> record(inputs.part(first, n), theta),
        Ops::softmaxCrossEntropy, new WeightDecay(l2, data.k(), weightOffsets, weightLengths));
  }

  /**
   * The MLP of a two-layer {@code config} (dense first layer, softmax output, cross-entropy):
   * sizes {@code inputs, hidden, outputs}, its activation and L2 coefficient, so that its loss
   * is {@link TwoLayerNet}'s.
   */
  public static Mlp of(NetworkConfig config, Dataset data) {
    if (!config.denseFirstLayer() || config.output() != OutputLayer.SOFTMAX
        || config.loss() != Loss.CROSS_ENTROPY) {
      throw new IllegalArgumentException(
          "an Mlp has a dense first layer and softmax cross-entropy; " + config + " has not");
    }
    return new Mlp(new int[] {config.inputs(), config.hidden(), config.outputs()},
        config.activation(), config.l2(), data);
  }

  /** Where each layer's parameters sit in theta. */
  public Layout layout() {
    return layout;
  }

  /** The hidden activation. */
  public Activation activation() {
    return activation;
  }

  /** The L2 coefficient lambda of {@code (lambda/(2k)) sum ||Wl||^2}. */
  public double l2() {
    return l2;
  }

  /** The training batch. */
  public Dataset data() {
    return data;
  }

  @Override
  public int dimension() {
    return layout.size();
  }

  /** Up to 64 directions per sweep (every product a GEMM), at most P. */
  @Override
  public int defaultDirectionsPerSweep() {
    return batch.defaultDirectionsPerSweep();
  }

  /** Samples per part for a sweep with {@code m} directions (see {@link BatchParts}). */
  int samplesPerPart(int m) {
    return batch.samplesPerPart(m);
  }

  /** Rows per chunk of the plain forward pass of {@link #predict} (bounds its buffers). */
  private static final int PREDICT_ROWS = 4096;

  /**
   * The class probabilities {@code softmax(A(L+1))} on {@code samples} ({@code k x c},
   * row-major), by a plain forward pass over chunks of rows (no tape).
   */
  @Override
  public double[] predict(double[] theta, Dataset samples) {
    double[] logits = logits(theta, samples);
    int c = layout.outputs(layout.layers());
    double[] y = new double[logits.length];
    for (int i = 0; i < samples.k(); i++) {
      Kernels.softmaxRow(c, logits, i * c, y, i * c);
    }
    return y;
  }

  /** The logits {@code A(L+1)} on {@code samples} ({@code k x c}), over chunks of rows. */
  private double[] logits(double[] theta, Dataset samples) {
    batch.checkLength("theta", theta);
    int[] sizes = layout.sizes();
    int n = sizes[0];
    int c = sizes[sizes.length - 1];
    if (samples.inputs() != n || samples.outputs() != c) {
      throw new IllegalArgumentException("samples have " + samples.inputs() + " inputs and "
          + samples.outputs() + " target columns; the MLP " + Arrays.toString(sizes) + " needs "
          + n + " and " + c);
    }
    double[] logits = new double[samples.k() * c];
    for (int first = 0; first < samples.k(); first += PREDICT_ROWS) {
      int rows = Math.min(PREDICT_ROWS, samples.k() - first);
      double[] a = Arrays.copyOfRange(samples.x(), first * n, (first + rows) * n);
      for (int l = 1; l <= layout.layers(); l++) {
        int in = layout.inputs(l);
        int out = layout.outputs(l);
        double[] z = new double[rows * out];
        Kernels.gemm(false, false, rows, out, in, 1.0, a, 0, in, theta, layout.weightOffset(l),
            out, 0.0, z, 0, out);
        for (int i = 0; i < rows; i++) {
          Kernels.axpy(out, 1.0, theta, layout.biasOffset(l), z, i * out);
        }
        if (l < layout.layers()) {
          Kernels.map(activation.function(), z.length, z, 0, z, 0);
        }
        a = z;
      }
      System.arraycopy(a, 0, logits, first * c, rows * c);
    }
    return logits;
  }

  /**
   * The fraction of {@code samples} whose largest probability is at their largest target, read
   * off the logits where no softmax rounding can decide it ({@link Accuracy}).
   */
  @Override
  public double accuracy(double[] theta, Dataset samples) {
    int c = layout.outputs(layout.layers());
    return Accuracy.fraction(logits(theta, samples), c, samples.targets(), samples.k(),
        (logits, from, out) -> Kernels.softmaxRow(c, logits, from, out, 0));
  }

  @Override
  public double loss(double[] theta) {
    return batch.loss(theta);
  }

  @Override
  public double lossAndGradient(double[] theta, double[] gradient) {
    return batch.lossAndGradient(theta, gradient);
  }

  /**
   * {@code out = Hess L(theta) V} for {@code m} directions ({@code P x m} row-major), one
   * forward-over-reverse sweep per part of the batch.
   */
  public void hessianTimes(double[] theta, double[] v, int m, double[] out) {
    batch.hessianTimes(theta, v, m, out);
  }

  /**
   * {@code out = G(theta) V}, the Gauss-Newton matrix {@code J^T H_out J} of the data loss (J the
   * Jacobian of the logits, {@code H_out} the Hessian of the mean cross-entropy in the logits)
   * plus the L2 term's Hessian, for {@code m} directions ({@code P x m} row-major), through the
   * logits as {@link BatchLoss} computes it.
   */
  public void gaussNewtonTimes(double[] theta, double[] v, int m, double[] out) {
    batch.gaussNewtonTimes(theta, v, m, out);
  }

  /** {@code C V} for the chosen curvature: {@link #hessianTimes} or {@link #gaussNewtonTimes}. */
  @Override
  public void curvatureTimes(Curvature curvature, double[] theta, double[] v, int m, double[] out) {
    if (curvature == Curvature.HESSIAN) {
      hessianTimes(theta, v, m, out);
    } else {
      gaussNewtonTimes(theta, v, m, out);
    }
  }

  // ---- recording ----

  /**
   * Records the data loss on {@code d}: variables in layout order (set to {@code theta} unless
   * it is null), then the layers.
   */
  private Part record(FirstLayer.Part d, double[] theta) {
    Tape tape = new Tape();
    int layers = layout.layers();
    Var[] w = new Var[layers + 1];
    Var[] b = new Var[layers + 1];
    for (int l = 1; l <= layers; l++) {
      w[l] = tape.variable(layout.inputs(l), layout.outputs(l));
      b[l] = tape.variable(1, layout.outputs(l));
    }
    if (tape.parameterCount() != layout.size()) {
      throw new AssertionError("tape holds " + tape.parameterCount() + " parameters, " + layout);
    }
    if (theta != null) {
      tape.setVariables(theta);
    }
    Var targets = tape.constant(d.targets(), d.n(), layout.outputs(layers));
    CsrMatrix sparseX = d.sparseX();
    Var x = sparseX == null ? tape.constant(d.x(), d.n(), layout.inputs(1)) : null;
    Var a = FirstLayer.affine(x, sparseX, w[1], b[1]);
    for (int l = 2; l <= layers; l++) {
      a = Ops.addRowBroadcast(Ops.matmulActivated(a, activation.function(), w[l]), b[l]);
    }
    return new Part(tape, d.targets(), a, Ops.softmaxCrossEntropy(a, targets));
  }
}
