package org.dtheta.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.linalg.Lanczos;
import org.dtheta.core.linalg.SpectrumResult;
import org.dtheta.core.linalg.SymmetricEigensolver;
import org.dtheta.nn.spectral.LyapunovExponents;
import org.dtheta.nn.spectral.LyapunovResult;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.qr.QRDecompositionHouseholderColumn_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Mlp} of depth 2, 3 and 4 on tiny synthetic batches: derivatives against central
 * differences, the update map and its whole Jacobian, Lanczos against the dense eigensolver,
 * Lyapunov exponents against QR of dense products, and one hidden layer against {@link
 * TwoLayerNet}.
 */
class MlpTest {

  private static final int K = 9;
  private static final double ALPHA = 0.1;

  /** A tiny MLP: sizes, activation, L2. */
  record Shape(int[] sizes, Activation activation, double l2) {
    @Override
    public String toString() {
      return Arrays.toString(sizes) + " " + activation + " l2=" + l2;
    }
  }

  static Shape[] shapes() {
    return new Shape[] {
      new Shape(new int[] {5, 4, 3}, Activation.SIGMOID, 0.2),
      new Shape(new int[] {5, 4, 3, 3}, Activation.TANH, 0.3),
      new Shape(new int[] {4, 3, 4, 3, 2}, Activation.RELU, 0.1),
      new Shape(new int[] {4, 5, 3, 3}, Activation.SIGMOID, 0.0),
    };
  }

  /** {@code k} samples: inputs in [0, 1), about a third exactly 0; one-hot targets. */
  static Dataset dataset(Random rnd, int inputs, int classes, int k, double zeroFraction) {
    double[] x = new double[k * inputs];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextDouble() < zeroFraction ? 0.0 : rnd.nextDouble();
    }
    int[] labels = new int[k];
    for (int i = 0; i < k; i++) {
      labels[i] = rnd.nextInt(classes);
    }
    return Dataset.ofLabels(x, labels, inputs, classes);
  }

  private record Setup(Mlp mlp, double[] theta) {
    int p() {
      return mlp.dimension();
    }
  }

  private static Setup setup(Shape s, long seed, int maxPartSamples) {
    Random rnd = new Random(seed);
    int[] n = s.sizes();
    Dataset d = dataset(rnd, n[0], n[n.length - 1], K, 0.3);
    Mlp mlp = new Mlp(n, s.activation(), s.l2(), d, maxPartSamples);
    return new Setup(mlp, Fixtures.gaussian(rnd, mlp.dimension(), 0.8));
  }

  private static Setup setup(Shape s, long seed) {
    return setup(s, seed, Integer.MAX_VALUE);
  }

  private static double[] gradient(Objective o, double[] theta) {
    double[] g = new double[o.dimension()];
    o.lossAndGradient(theta, g);
    return g;
  }

  private static double[] times(Objective o, double[] theta, double[] v, int m) {
    double[] out = new double[v.length];
    o.curvatureTimes(Curvature.HESSIAN, theta, v, m, out);
    return out;
  }

  /** The whole Hessian by {@link HvpHessianPanels}, panels of 3 rows. */
  private static double[] denseHessian(Objective o, double[] theta) throws IOException {
    int p = o.dimension();
    double[] h = new double[p * p];
    new HvpHessianPanels(o, Curvature.HESSIAN, 4).write(theta,
        (first, rows, panel) -> System.arraycopy(panel, 0, h, first * p, rows * p), 3,
        ProgressListener.NONE);
    return h;
  }

  @Test
  void layoutIsW1B1ThroughWlBl() {
    Mlp.Layout l = new Mlp.Layout(5, 4, 3, 2);
    assertEquals(3, l.layers());
    assertEquals(5 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2, l.size());
    assertEquals(0, l.weightOffset(1));
    assertEquals(20, l.biasOffset(1));
    assertEquals(24, l.weightOffset(2));
    assertEquals(12, l.weightLength(2));
    assertEquals(36, l.biasOffset(2));
    assertEquals(39, l.weightOffset(3));
    assertEquals(45, l.biasOffset(3));
    assertEquals(2, l.biasLength(3));
    assertThrows(IllegalArgumentException.class, () -> new Mlp.Layout(5, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> l.weightOffset(4));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void gradientMatchesCentralDifferences(Shape s) {
    Setup t = setup(s, 1);
    double[] g = gradient(t.mlp, t.theta);
    double[] fd = new double[t.p()];
    double h = 1e-5;
    for (int i = 0; i < t.p(); i++) {
      double[] e = new double[t.p()];
      e[i] = 1;
      fd[i] = Fixtures.centralDifference(x -> new double[] {t.mlp.loss(x)}, t.theta, e, h)[0];
    }
    assertTrue(Fixtures.relativeError(g, fd) < 1e-7, "error " + Fixtures.relativeError(g, fd));
    assertEquals(t.mlp.loss(t.theta), t.mlp.lossAndGradient(t.theta, new double[t.p()]), 0.0);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void hessianTimesMatchesCentralDifferencesOfGradients(Shape s) {
    Setup t = setup(s, 2);
    int m = 3;
    double[] v = Fixtures.gaussian(new Random(3), t.p() * m, 1.0);
    double[] hv = times(t.mlp, t.theta, v, m);
    for (int d = 0; d < m; d++) {
      double[] fd = Fixtures.centralDifference(
          x -> gradient(t.mlp, x), t.theta, Fixtures.column(v, t.p(), m, d), 1e-5);
      double[] col = Fixtures.column(hv, t.p(), m, d);
      double err = Fixtures.relativeError(col, fd);
      assertTrue(err < 1e-6, "direction " + d + ": error " + err);
    }
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void updateJacobianTimesMatchesDifferencesOfTheUpdateMap(Shape s) {
    Setup t = setup(s, 4);
    UpdateMap map = UpdateMap.of(t.mlp, ALPHA);
    int m = 2;
    double[] v = Fixtures.gaussian(new Random(5), t.p() * m, 1.0);
    double[] dfv = new double[v.length];
    map.jacobianTimes(t.theta, v, m, dfv);
    for (int d = 0; d < m; d++) {
      double[] fd = Fixtures.centralDifference(x -> {
        double[] out = new double[x.length];
        map.apply(x, out);
        return out;
      }, t.theta, Fixtures.column(v, t.p(), m, d), 1e-5);
      double err = Fixtures.relativeError(Fixtures.column(dfv, t.p(), m, d), fd);
      assertTrue(err < 1e-7, "direction " + d + ": error " + err);
    }
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void wholeUpdateJacobianIsSymmetricAndMatchesProducts(Shape s) throws IOException {
    Setup t = setup(s, 6);
    UpdateMap map = UpdateMap.of(t.mlp, ALPHA, 5);
    int p = t.p();
    double[] df = map.dense(t.theta);
    double scale = Arrays.stream(df).map(Math::abs).max().orElseThrow();
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(df[i * p + j], df[j * p + i], 1e-13 * scale, "(" + i + ", " + j + ")");
      }
    }
    // column j against the product with e_j, and the streamed HVP panels the same bits
    double[] e = new double[p];
    double[] col = new double[p];
    for (int j = 0; j < p; j += 3) {
      Arrays.fill(e, 0);
      e[j] = 1;
      map.jacobianTimes(t.theta, e, 1, col);
      for (int i = 0; i < p; i++) {
        assertEquals(col[i], df[i * p + j], 1e-14 * scale, "(" + i + ", " + j + ")");
      }
    }
    double[] streamed = new double[p * p];
    map.writeDense(t.theta, JacobianMethod.HVP,
        (first, rows, panel) -> System.arraycopy(panel, 0, streamed, first * p, rows * p), 4,
        ProgressListener.NONE);
    double[] whole = UpdateMap.of(t.mlp, ALPHA, 5).dense(t.theta);
    assertArrayEquals(whole, df, 0.0);
    assertTrue(Fixtures.relativeError(streamed, df) < 1e-14);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void lanczosEndsMatchTheDenseEigensolver(Shape s) throws IOException {
    Setup t = setup(s, 7);
    int p = t.p();
    double[] dense = denseHessian(t.mlp, t.theta);
    double[] eig = SymmetricEigensolver.decompose(dense, p, false).values(); // ascending
    UpdateMap map = UpdateMap.of(t.mlp, ALPHA);
    SpectrumResult r = new Lanczos(map.hessianMap(t.theta)).largest(2).smallest(2).seed(8).run();
    double scale = Math.max(Math.abs(eig[0]), Math.abs(eig[p - 1]));
    assertEquals(eig[p - 1], r.largest().values()[0], 1e-8 * scale);
    assertEquals(eig[p - 2], r.largest().values()[1], 1e-8 * scale);
    assertEquals(eig[0], r.smallest().values()[0], 1e-8 * scale);
    assertEquals(eig[1], r.smallest().values()[1], 1e-8 * scale);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void lyapunovExponentsMatchQrOfDenseProducts(Shape s) {
    Setup t = setup(s, 9);
    int p = t.p();
    int m = 3;
    int steps = 6;
    UpdateMap map = UpdateMap.of(t.mlp, ALPHA);
    double[][] trajectory = new double[steps][];
    double[] theta = t.theta.clone();
    Trainer trainer = new Trainer(map);
    for (int s0 = 0; s0 < steps; s0++) {
      trajectory[s0] = theta.clone();
      trainer.step(theta, s0);
    }
    double[] q0 = Fixtures.gaussian(new Random(10), p * m, 1.0);
    LyapunovResult r = new LyapunovExponents(m).initialVectors(q0)
        .forward(i -> map.asLinearMap(trajectory[i]), steps);
    // dense: M = Df_(T-1) ... Df_0 Q0, M = Q R, exponents log|R_ii| / T
    DMatrixRMaj prod = DMatrixRMaj.wrap(p, m, q0.clone());
    for (int s0 = 0; s0 < steps; s0++) {
      DMatrixRMaj df = DMatrixRMaj.wrap(p, p, map.dense(trajectory[s0]));
      DMatrixRMaj next = new DMatrixRMaj(p, m);
      CommonOps_DDRM.mult(df, prod, next);
      prod = next;
    }
    // M = Q R with R = R_T ... R_1 R_0, R_0 from orthonormalising Q0 (not counted by the QR
    // method): the exponents are (log|R_ii(M)| - log|R_ii(Q0)|) / T
    DMatrixRMaj rm = upperTriangle(prod);
    DMatrixRMaj r0 = upperTriangle(DMatrixRMaj.wrap(p, m, q0.clone()));
    double[] expected = new double[m];
    for (int i = 0; i < m; i++) {
      expected[i] = (Math.log(Math.abs(rm.get(i, i))) - Math.log(Math.abs(r0.get(i, i)))) / steps;
    }
    assertArrayEquals(expected, r.exponents(), 1e-10);
  }

  private static DMatrixRMaj upperTriangle(DMatrixRMaj a) {
    QRDecompositionHouseholderColumn_DDRM qr = new QRDecompositionHouseholderColumn_DDRM();
    assertTrue(qr.decompose(a.copy()));
    return qr.getR(null, true);
  }

  /** The logits by loops over samples and layers, independently of the tape ({@code k x c}). */
  static double[] referenceLogits(Shape s, Dataset d, double[] theta) {
    int[] n = s.sizes();
    int layers = n.length - 1;
    double[] logits = new double[d.k() * n[layers]];
    for (int i = 0; i < d.k(); i++) {
      double[] z = Arrays.copyOfRange(d.x(), i * n[0], (i + 1) * n[0]);
      int at = 0;
      for (int l = 1; l <= layers; l++) {
        double[] y = new double[n[l]];
        int bias = at + n[l - 1] * n[l];
        for (int j = 0; j < n[l]; j++) {
          double sum = theta[bias + j];
          for (int r = 0; r < n[l - 1]; r++) {
            sum += z[r] * theta[at + r * n[l] + j];
          }
          y[j] = l == layers ? sum : switch (s.activation()) {
            case SIGMOID -> 1 / (1 + Math.exp(-sum));
            case TANH -> Math.tanh(sum);
            case RELU -> Math.max(0, sum);
          };
        }
        at = bias + n[l];
        z = y;
      }
      System.arraycopy(z, 0, logits, i * n[layers], n[layers]);
    }
    return logits;
  }

  /** Softmax of each row of {@code k x c} logits. */
  static double[] softmaxRows(double[] logits, int k, int c) {
    double[] p = new double[logits.length];
    for (int i = 0; i < k; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) {
        max = Math.max(max, logits[i * c + j]);
      }
      double sum = 0;
      for (int j = 0; j < c; j++) {
        p[i * c + j] = Math.exp(logits[i * c + j] - max);
        sum += p[i * c + j];
      }
      for (int j = 0; j < c; j++) {
        p[i * c + j] /= sum;
      }
    }
    return p;
  }

  /** The L2 term's Hessian diagonal: l2/k on weights, 0 on biases. */
  static double[] l2Diagonal(Shape s, int k) {
    Mlp.Layout layout = new Mlp.Layout(s.sizes());
    double[] diag = new double[layout.size()];
    for (int l = 1; l <= layout.layers(); l++) {
      Arrays.fill(diag, layout.weightOffset(l), layout.biasOffset(l), s.l2() / k);
    }
    return diag;
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void lossMatchesLoopsOverSamplesAndLayers(Shape s) {
    Setup t = setup(s, 17);
    Dataset d = t.mlp.data();
    int c = d.outputs();
    double[] p = softmaxRows(referenceLogits(s, d, t.theta), d.k(), c);
    double loss = 0;
    for (int i = 0; i < d.k() * c; i++) {
      loss -= d.targets()[i] * Math.log(p[i]) / d.k();
    }
    double[] diag = l2Diagonal(s, d.k());
    for (int i = 0; i < t.p(); i++) {
      loss += 0.5 * diag[i] * t.theta[i] * t.theta[i];
    }
    assertEquals(loss, t.mlp.loss(t.theta), 1e-13 * loss);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void gaussNewtonMatchesJacobianOfTheLogitsByDifferences(Shape s) {
    Setup t = setup(s, 18, 4); // parts of 4, 4 and 1 samples
    Dataset d = t.mlp.data();
    int p = t.p();
    int k = d.k();
    int c = d.outputs();
    int rows = k * c;
    // J (rows x P) by central differences of the reference logits
    double[] jac = new double[rows * p];
    for (int j = 0; j < p; j++) {
      double[] e = new double[p];
      e[j] = 1;
      double[] col = Fixtures.centralDifference(x -> referenceLogits(s, d, x), t.theta, e, 1e-5);
      for (int r = 0; r < rows; r++) {
        jac[r * p + j] = col[r];
      }
    }
    double[] prob = softmaxRows(referenceLogits(s, d, t.theta), k, c);
    double[] diag = l2Diagonal(s, k);
    int m = 3;
    double[] v = Fixtures.gaussian(new Random(19), p * m, 1.0);
    double[] gv = new double[v.length];
    t.mlp.gaussNewtonTimes(t.theta, v, m, gv);
    for (int dir = 0; dir < m; dir++) {
      double[] u = Fixtures.multiply(jac, Fixtures.column(v, p, m, dir), rows, p, 1);
      double[] hu = new double[rows]; // per sample (diag(p) - p p^T) / k
      for (int i = 0; i < k; i++) {
        double pu = 0;
        for (int j = 0; j < c; j++) {
          pu += prob[i * c + j] * u[i * c + j];
        }
        for (int j = 0; j < c; j++) {
          hu[i * c + j] = prob[i * c + j] * (u[i * c + j] - pu) / k;
        }
      }
      double[] expected = new double[p];
      for (int j = 0; j < p; j++) {
        for (int r = 0; r < rows; r++) {
          expected[j] += jac[r * p + j] * hu[r];
        }
        expected[j] += diag[j] * v[j * m + dir];
      }
      double err = Fixtures.relativeError(Fixtures.column(gv, p, m, dir), expected);
      assertTrue(err < 1e-7, "direction " + dir + ": error " + err);
    }
    // I - alpha G is symmetric and G positive semidefinite
    double[] dfG = UpdateMap.of(t.mlp, ALPHA, 4).dense(Curvature.GAUSS_NEWTON, t.theta);
    double[] g = new double[p * p];
    for (int i = 0; i < p * p; i++) {
      g[i] = ((i % (p + 1) == 0 ? 1.0 : 0.0) - dfG[i]) / ALPHA;
    }
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(g[i * p + j], g[j * p + i], 1e-12, "(" + i + ", " + j + ")");
      }
    }
    double[] eig = SymmetricEigensolver.decompose(g, p, false).values();
    assertTrue(eig[0] > -1e-10, "smallest eigenvalue of G " + eig[0]);
  }

  static Activation[] activations() {
    return Activation.values();
  }

  @ParameterizedTest
  @MethodSource("activations")
  void oneHiddenLayerEqualsTwoLayerNet(Activation a) {
    for (double zeros : new double[] {0.3, 0.8}) { // the dense and the sparse first layer
      NetworkConfig c = new NetworkConfig(6, 5, 3, a, true, OutputLayer.SOFTMAX,
          Loss.CROSS_ENTROPY, 0.4, ALPHA);
      Random rnd = new Random(11);
      Dataset d = dataset(rnd, 6, 3, K, zeros);
      TwoLayerNet net = new TwoLayerNet(c, d, Integer.MAX_VALUE, 0);
      Mlp mlp = Mlp.of(c, d);
      assertEquals(net.dimension(), mlp.dimension());
      double[] theta = Fixtures.gaussian(rnd, mlp.dimension(), 0.8);
      double[] gNet = new double[theta.length];
      double[] gMlp = new double[theta.length];
      double lNet = net.lossAndGradient(theta, gNet);
      double lMlp = mlp.lossAndGradient(theta, gMlp);
      assertEquals(lNet, lMlp, 1e-14 * Math.abs(lNet));
      assertEquals(net.loss(theta), mlp.loss(theta), 1e-14 * Math.abs(lNet));
      assertTrue(Fixtures.relativeError(gMlp, gNet) < 1e-14, a + " gradient");
      int m = 4;
      double[] v = Fixtures.gaussian(rnd, theta.length * m, 1.0);
      double[] hNet = times(net, theta, v, m);
      double[] hMlp = times(mlp, theta, v, m);
      double err = Fixtures.relativeError(hMlp, hNet);
      assertTrue(err < 1e-14, a + " zeros " + zeros + ": H V error " + err);
      double[] gvNet = new double[v.length];
      double[] gvMlp = new double[v.length];
      net.curvatureTimes(Curvature.GAUSS_NEWTON, theta, v, m, gvNet);
      mlp.curvatureTimes(Curvature.GAUSS_NEWTON, theta, v, m, gvMlp);
      err = Fixtures.relativeError(gvMlp, gvNet);
      assertTrue(err < 1e-14, a + " zeros " + zeros + ": G V error " + err);
    }
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void partsOfTheBatchSumToTheWholeAndRepeatBitForBit(Shape s) {
    Setup whole = setup(s, 12);
    Setup split = setup(s, 12, 4); // parts of 4, 4 and 1 samples
    int m = 3;
    double[] v = Fixtures.gaussian(new Random(13), whole.p() * m, 1.0);
    double[] gWhole = gradient(whole.mlp, whole.theta);
    double[] gSplit = gradient(split.mlp, split.theta);
    assertEquals(whole.mlp.loss(whole.theta), split.mlp.loss(split.theta),
        1e-14 * Math.abs(whole.mlp.loss(whole.theta)));
    assertTrue(Fixtures.relativeError(gSplit, gWhole) < 1e-14);
    double[] hWhole = times(whole.mlp, whole.theta, v, m);
    double[] hSplit = times(split.mlp, split.theta, v, m);
    assertTrue(Fixtures.relativeError(hSplit, hWhole) < 1e-13);
    assertArrayEquals(hSplit, times(split.mlp, split.theta, v, m), 0.0);
    Setup again = setup(s, 12, 4);
    assertArrayEquals(hSplit, times(again.mlp, again.theta, v, m), 0.0);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void productsFollowThetaChangedInPlace(Shape s) {
    Setup t = setup(s, 14);
    int m = 2;
    double[] v = Fixtures.gaussian(new Random(15), t.p() * m, 1.0);
    double[] theta = t.theta.clone();
    times(t.mlp, theta, v, m); // linearised at theta
    theta[0] += 0.25;
    theta[t.p() - 1] -= 0.5;
    double[] after = times(t.mlp, theta, v, m);
    Setup fresh = setup(s, 14);
    assertArrayEquals(times(fresh.mlp, theta, v, m), after, 0.0);
    // a loss evaluation elsewhere in between must not leave stale products behind
    t.mlp.loss(t.theta);
    assertArrayEquals(after, times(t.mlp, theta, v, m), 0.0);
    t.mlp.lossAndGradient(t.theta, new double[t.p()]);
    assertArrayEquals(after, times(t.mlp, theta, v, m), 0.0);
    // Gauss-Newton sweeps at the same theta replace the adjoints the linearisation reads
    t.mlp.gaussNewtonTimes(theta, v, m, new double[v.length]);
    assertArrayEquals(after, times(t.mlp, theta, v, m), 0.0);
  }

  @Test
  void structuredAndGaussNewtonAndBlocksSayWhatTheyNeed() {
    Setup t = setup(shapes()[1], 16);
    UpdateMap map = UpdateMap.of(t.mlp, ALPHA);
    IllegalArgumentException structured = assertThrows(IllegalArgumentException.class,
        () -> map.hessianPanels(JacobianMethod.STRUCTURED));
    assertTrue(structured.getMessage().contains("structured works for one hidden layer only; use hvp"),
        structured.getMessage());
    assertTrue(map.hessianPanels(JacobianMethod.HVP) instanceof HvpHessianPanels);
    assertThrows(IllegalStateException.class, map::net);
    assertThrows(IllegalStateException.class, () -> map.block(t.theta, Block.B1, Block.B2));
    assertThrows(IllegalArgumentException.class, () -> t.mlp.loss(new double[t.p() + 1]));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void predictIsSoftmaxOfTheReferenceLogitsAndBlocksByOffsetAreSubmatricesOfDense(Shape s) {
    Setup t = setup(s, 23);
    Dataset d = t.mlp.data();
    int c = s.sizes()[s.sizes().length - 1];
    double[] expected = softmaxRows(referenceLogits(s, d, t.theta), d.k(), c);
    assertTrue(Fixtures.relativeError(t.mlp.predict(t.theta, d), expected) < 1e-13, "predict");
    int right = 0;
    for (int i = 0; i < d.k(); i++) {
      int best = 0;
      int label = 0;
      for (int j = 1; j < c; j++) {
        best = expected[i * c + j] > expected[i * c + best] ? j : best;
        label = d.targets()[i * c + j] > d.targets()[i * c + label] ? j : label;
      }
      right += best == label ? 1 : 0;
    }
    assertEquals((double) right / d.k(), t.mlp.accuracy(t.theta, d));
    // at zero every row's logits tie: accuracy takes the outputs' first largest, as predict's
    double[] y0 = t.mlp.predict(new double[t.theta.length], d);
    int right0 = 0;
    for (int i = 0; i < d.k(); i++) {
      boolean hit = Accuracy.argmax(y0, i * c, c) == Accuracy.argmax(d.targets(), i * c, c);
      right0 += hit ? 1 : 0;
    }
    assertEquals((double) right0 / d.k(), t.mlp.accuracy(new double[t.theta.length], d), 0.0);
    UpdateMap map = UpdateMap.of(t.mlp, ALPHA, 3);
    double[] dense = map.dense(t.theta);
    Mlp.Layout l = t.mlp.layout();
    int last = l.layers();
    int r0 = l.weightOffset(last);
    int rows = l.weightLength(last);
    int c0 = l.biasOffset(1);
    int cols = l.biasLength(1);
    double[] block = map.block(Curvature.HESSIAN, t.theta, r0, rows, c0, cols);
    int p = t.p();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        assertEquals(dense[(r0 + i) * p + c0 + j], block[i * cols + j], 1e-12);
      }
    }
  }
}
