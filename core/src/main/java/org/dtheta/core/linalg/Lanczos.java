package org.dtheta.core.linalg;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;

/**
 * The largest and smallest eigenvalues of a symmetric {@link LinearMap} (the loss Hessian, or
 * the update Jacobian {@code Df = I - alpha Hess L}) by block Lanczos with full
 * reorthogonalisation.
 *
 * <p>Each step applies the map to a block of {@code b} basis vectors in one call (for a Hessian
 * that is one forward-over-reverse sweep with {@code b} tangent directions, far cheaper than
 * {@code b} sweeps), projects the result off the whole basis (twice, see {@link
 * Orthonormalizer}) and factors the remainder into the next block. The projections fill the
 * projected matrix {@code T = Q^T A Q}; its eigenpairs are the Ritz pairs. Full
 * reorthogonalisation costs {@code O(n K^2)} for Krylov dimension {@code K} but prevents the ghost
 * copies of converged eigenvalues that plain Lanczos produces, and keeps the residual estimates
 * honest. The basis is one flat {@code K x n} array: {@code 8 n K} bytes (95 MB for {@code n =
 * 39760, K = 300}).
 *
 * <p>Stopping: every few blocks the Ritz pairs are computed; the iteration stops when the
 * requested pairs at both ends have residual {@code ||A x - theta x|| <= tolerance * max|theta|}
 * (a relative test: near-zero eigenvalues, which a Hessian has many of, could never meet a test
 * relative to their own size), when the basis reaches the maximum dimension, or when it spans
 * the whole space. A residual {@code rho} guarantees an eigenvalue within {@code rho} of the Ritz
 * value; it does not guarantee that no eigenvalue further out was missed, which a random start
 * makes unlikely but not impossible.
 *
 * <p>Multiplicity: a Krylov space built from {@code b} start vectors contains at most {@code b}
 * independent eigenvectors of any one eigenvalue. With block size {@code b} an eigenvalue of
 * multiplicity above {@code b} (zero for the Hessian of a softmax network, at least 51 times)
 * shows up at most {@code b} times in the result, and the next entries are the next distinct
 * eigenvalues. Use a block at least as large as the multiplicities you need to resolve.
 *
 * <pre>{@code
 * SpectrumResult s = new Lanczos(hessian).largest(10).smallest(10).blockSize(8)
 *     .maxKrylovDimension(320).tolerance(1e-8).seed(1).computeVectors(true).run();
 * }</pre>
 */
public final class Lanczos {

  /** Default relative residual tolerance. */
  public static final double DEFAULT_TOLERANCE = 1e-8;

  /** Default maximum Krylov dimension. */
  public static final int DEFAULT_MAX_KRYLOV_DIMENSION = 300;

  /**
   * A new block row this much shorter than the vector it came from is numerically in the span of
   * the basis (an invariant subspace was found) and is replaced by a fresh random direction.
   */
  private static final double DEPENDENCE_TOLERANCE = 1e-12;

  /** Ritz pairs are recomputed after the basis grows by this fraction (dense eigen is K^3). */
  private static final int CHECK_FRACTION = 16;

  private final LinearMap map;
  private int largest = 1;
  private int smallest = 1;
  private int blockSize = 1;
  private int maxKrylovDimension = DEFAULT_MAX_KRYLOV_DIMENSION;
  private double tolerance = DEFAULT_TOLERANCE;
  private long seed = 1L;
  private boolean computeVectors;
  private double[] start;
  private ProgressListener progress = ProgressListener.NONE;

  /** A solver for the symmetric {@code map}; configure it with the setters, then {@link #run}. */
  public Lanczos(LinearMap map) {
    if (map == null) {
      throw new IllegalArgumentException("Lanczos: map is null");
    }
    this.map = map;
  }

  /**
   * How many of the largest eigenvalues to find (default 1; 0 for none). When the Krylov
   * dimension is below {@code largest + smallest} the two lists overlap.
   */
  public Lanczos largest(int count) {
    this.largest = requireNonNegative("largest", count);
    return this;
  }

  /** How many of the smallest (most negative) eigenvalues to find (default 1; 0 for none). */
  public Lanczos smallest(int count) {
    this.smallest = requireNonNegative("smallest", count);
    return this;
  }

  /** Vectors per application of the map (default 1). See the class comment on multiplicity. */
  public Lanczos blockSize(int b) {
    if (b < 1) {
      throw new IllegalArgumentException("Lanczos: blockSize must be >= 1, got " + b);
    }
    this.blockSize = b;
    return this;
  }

  /**
   * Upper bound on the size of the Krylov basis (default 300), rounded down to a multiple of
   * the block size and capped at the dimension of the map.
   */
  public Lanczos maxKrylovDimension(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("Lanczos: maxKrylovDimension must be >= 1, got " + k);
    }
    this.maxKrylovDimension = k;
    return this;
  }

  /** Relative residual tolerance (default 1e-8); see the class comment. */
  public Lanczos tolerance(double relative) {
    if (!(relative > 0.0 && relative < 1.0)) {
      throw new IllegalArgumentException("Lanczos: tolerance must be in (0, 1), got " + relative);
    }
    this.tolerance = relative;
    return this;
  }

  /** Seed of the random start block (and of replacement directions): runs are reproducible. */
  public Lanczos seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * A warm start (length n, not all zero, copied): the first vector of the start block; the
   * other {@code blockSize - 1} stay seeded random. Starting from a previous eigenvector (say at
   * the last step of a training run) converges in a few blocks; the random companions keep
   * directions that the old vector nearly misses (a new top eigenvector) in the Krylov space.
   * Null (the default) starts from a random block.
   */
  public Lanczos start(double[] vector) {
    if (vector != null) {
      boolean nonZero = false;
      for (double x : vector) {
        if (!Double.isFinite(x)) {
          throw new IllegalArgumentException("Lanczos: start vector has a non-finite entry " + x);
        }
        nonZero |= x != 0.0;
      }
      if (!nonZero) {
        throw new IllegalArgumentException("Lanczos: start vector is zero");
      }
    }
    this.start = vector == null ? null : vector.clone();
    return this;
  }

  /**
   * Whether to form the Ritz vectors (default false). When true, the map is also applied to them
   * once more so that the reported residuals are measured, not just estimated.
   */
  public Lanczos computeVectors(boolean on) {
    this.computeVectors = on;
    return this;
  }

  /** Called after each block with (Krylov dimension, its maximum). */
  public Lanczos progress(ProgressListener listener) {
    this.progress = listener == null ? ProgressListener.NONE : listener;
    return this;
  }

  /** Runs the iteration. Each call starts afresh from the seeded (or given) start block. */
  public SpectrumResult run() {
    int n = map.dimension();
    int b = blockSize;
    if (n < 1) {
      throw new IllegalArgumentException("Lanczos: map dimension must be >= 1, got " + n);
    }
    if (b > n) {
      throw new IllegalArgumentException(
          "Lanczos: blockSize " + b + " exceeds the map dimension " + n);
    }
    int capacity = Math.min(maxKrylovDimension, n) / b * b;
    if (capacity < b) {
      throw new IllegalArgumentException("Lanczos: maxKrylovDimension " + maxKrylovDimension
          + " is smaller than the block size " + b);
    }
    if (largest + smallest == 0) {
      throw new IllegalArgumentException("Lanczos: ask for at least one eigenvalue");
    }
    if (Math.max(largest, smallest) > capacity) {
      throw new IllegalArgumentException("Lanczos: " + Math.max(largest, smallest)
          + " eigenvalues asked for at one end, but the Krylov dimension is at most " + capacity
          + " (maxKrylovDimension " + maxKrylovDimension + ", n " + n + ", block " + b + ")");
    }
    if ((long) capacity * n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Lanczos: a basis of " + capacity + " vectors of length "
          + n + " does not fit in one array; lower maxKrylovDimension");
    }
    int wanted = Math.min(largest + smallest, capacity);
    RandomGenerator random = new SplittableRandom(seed);

    double[] basis = new double[capacity * n];
    double[] arnoldi = new double[capacity * capacity];
    double[] residual = new double[b * n];
    double[] projections = new double[capacity * b];
    double[] lastR = new double[b * b];
    BlockApplier applier = new BlockApplier(map, n, b);

    for (int i = 0; i < b * n; i++) {
      basis[i] = random.nextGaussian();
    }
    if (start != null) {
      if (start.length != n) {
        throw new IllegalArgumentException(
            "Lanczos: start vector has " + start.length + " entries, the map dimension is " + n);
      }
      // drawn and then replaced, so the companions are the same random rows with or without it
      System.arraycopy(start, 0, basis, 0, n);
    }
    Orthonormalizer.orthonormalizeRows(basis, 0, b, n, basis, 0, null, lastR,
        DEPENDENCE_TOLERANCE, random);

    int k0 = 0;
    int lastCheck = 0;
    Ritz ritz;
    while (true) {
      int k1 = k0 + b;
      applier.apply(basis, k0 * n, b, residual, k0);
      Orthonormalizer.orthonormalizeRows(residual, 0, b, n, basis, k1, projections, lastR,
          DEPENDENCE_TOLERANCE, random);
      // Column block k0 of T: projections on the basis, then the R factor just below it.
      for (int i = 0; i < k1; i++) {
        System.arraycopy(projections, i * b, arnoldi, i * capacity + k0, b);
      }
      if (k1 < capacity) {
        for (int i = 0; i < b; i++) {
          System.arraycopy(lastR, i * b, arnoldi, (k1 + i) * capacity + k0, b);
        }
      }
      progress.update(k1, capacity);
      boolean full = k1 == capacity;
      int stride = Math.max(b, (k1 + CHECK_FRACTION - 1) / CHECK_FRACTION);
      if (full || (k1 >= wanted && k1 - lastCheck >= stride)) {
        ritz = new Ritz(arnoldi, capacity, k1, lastR, b, false);
        lastCheck = k1;
        if (full || ritz.converged(largest, smallest, tolerance)) {
          break;
        }
      }
      System.arraycopy(residual, 0, basis, k1 * n, b * n);
      k0 = k1;
    }

    if (computeVectors) {
      ritz = new Ritz(arnoldi, capacity, ritz.size, lastR, b, true);
    }
    SpectrumResult.Stop stop = ritz.converged(largest, smallest, tolerance)
        ? SpectrumResult.Stop.CONVERGED
        : ritz.size == n ? SpectrumResult.Stop.WHOLE_SPACE
            : SpectrumResult.Stop.MAX_KRYLOV_DIMENSION;
    int[] top = new int[largest];
    for (int j = 0; j < largest; j++) {
      top[j] = ritz.size - 1 - j;
    }
    int[] bottom = new int[smallest];
    for (int j = 0; j < smallest; j++) {
      bottom[j] = j;
    }
    Eigenpairs topPairs = pairs(ritz, top, basis, n, applier);
    Eigenpairs bottomPairs = pairs(ritz, bottom, basis, n, applier);
    return new SpectrumResult(topPairs, bottomPairs, ritz.size, applier.vectorsApplied,
        ritz.normEstimate, ritz.asymmetry / Math.max(ritz.normEstimate, Double.MIN_NORMAL),
        tolerance, stop);
  }

  /** The chosen Ritz pairs, with vectors and measured residuals when asked for. */
  private Eigenpairs pairs(Ritz ritz, int[] chosen, double[] basis, int n, BlockApplier applier) {
    int count = chosen.length;
    double[] values = new double[count];
    double[] estimates = new double[count];
    for (int j = 0; j < count; j++) {
      values[j] = ritz.values[chosen[j]];
      estimates[j] = ritz.residualEstimates[chosen[j]];
    }
    double[] measured = null;
    double[] vectors = null;
    if (computeVectors && count > 0) {
      int k = ritz.size;
      double[] y = new double[count * k];
      for (int j = 0; j < count; j++) {
        System.arraycopy(ritz.vectors, chosen[j] * k, y, j * k, k);
      }
      // Ritz vectors as rows: X = Y_chosen Q (count x K times K x n).
      double[] x = new double[count * n];
      Kernels.gemm(false, false, count, n, k, 1.0, y, 0, k, basis, 0, n, 0.0, x, 0, n);
      measured = new double[count];
      double[] ax = new double[blockSize * n];
      for (int first = 0; first < count; first += blockSize) {
        int m = Math.min(blockSize, count - first);
        applier.apply(x, first * n, m, ax, -1);
        for (int j = 0; j < m; j++) {
          Kernels.axpy(n, -values[first + j], x, (first + j) * n, ax, j * n);
          measured[first + j] = Orthonormalizer.norm(ax, j * n, n);
        }
      }
      vectors = new double[n * count];
      Kernels.transpose(count, n, x, 0, n, vectors, 0, count);
    }
    double[] judged = measured != null ? measured : estimates;
    boolean[] converged = new boolean[count];
    for (int j = 0; j < count; j++) {
      converged[j] = judged[j] <= tolerance * ritz.normEstimate;
    }
    return new Eigenpairs(values, estimates, measured, converged, vectors, n);
  }

  /**
   * Ritz pairs of the leading {@code size x size} block of the projected matrix, with the
   * residual estimates {@code ||R y_last||} that the block recurrence gives for free: {@code A Q
   * = Q T + Q_next R E^T}, so {@code (A - theta) Q y = Q_next R (E^T y)}. Only the last {@code b}
   * components of each eigenvector {@code y} are needed for that, so the full eigenvectors (an
   * {@code O(K^3)} accumulation) are formed only when Ritz vectors are wanted.
   */
  private static final class Ritz {
    final int size;
    final double[] values;
    final double[] vectors;
    final double[] residualEstimates;
    final double normEstimate;
    /** {@code max |T_ij - T_ji|}: rounding for a symmetric map, large otherwise. */
    final double asymmetry;

    Ritz(double[] arnoldi, int stride, int size, double[] lastR, int b, boolean fullVectors) {
      this.size = size;
      double[] t = new double[size * size];
      for (int i = 0; i < size; i++) {
        System.arraycopy(arnoldi, i * stride, t, i * size, size);
      }
      double worst = 0.0;
      for (int i = 0; i < size; i++) {
        for (int j = 0; j < i; j++) {
          worst = Math.max(worst, Math.abs(t[i * size + j] - t[j * size + i]));
        }
      }
      asymmetry = worst;
      int last = size - b;
      // Row j of `tail` holds the last b components of eigenvector j.
      double[] tail;
      if (fullVectors) {
        SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(t, size, true);
        values = d.values();
        vectors = d.vectors();
        tail = new double[size * b];
        for (int j = 0; j < size; j++) {
          System.arraycopy(vectors, j * size + last, tail, j * b, b);
        }
      } else {
        tail = new double[size * b];
        for (int c = 0; c < b; c++) {
          tail[(last + c) * b + c] = 1.0;
        }
        values = SymmetricEigensolver.decompose(t, size, tail, b);
        vectors = null;
      }
      normEstimate = Math.max(Math.abs(values[0]), Math.abs(values[size - 1]));
      residualEstimates = new double[size];
      for (int j = 0; j < size; j++) {
        double sum = 0.0;
        for (int row = 0; row < b; row++) {
          double acc = 0.0;
          for (int col = row; col < b; col++) {
            acc += lastR[row * b + col] * tail[j * b + col];
          }
          sum += acc * acc;
        }
        residualEstimates[j] = Math.sqrt(sum);
      }
    }

    boolean converged(int largest, int smallest, double tolerance) {
      double bound = tolerance * normEstimate;
      for (int j = 0; j < largest; j++) {
        if (!(residualEstimates[size - 1 - j] <= bound)) {
          return false;
        }
      }
      for (int j = 0; j < smallest; j++) {
        if (!(residualEstimates[j] <= bound)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Applies the map to vectors stored as rows, converting to and from the {@code n x m}
   * interleaved layout of {@link LinearMap}, and counts the work.
   */
  static final class BlockApplier {
    private final LinearMap map;
    private final int n;
    private final double[] in;
    private final double[] out;
    long vectorsApplied;

    BlockApplier(LinearMap map, int n, int maxBlock) {
      this.map = map;
      this.n = n;
      this.in = new double[n * maxBlock];
      this.out = new double[n * maxBlock];
    }

    /**
     * {@code dest} rows {@code 0..m-1} = A applied to the {@code m} rows at {@code rows[off..]}.
     * {@code step} names the Krylov dimension in errors (-1 for the Ritz-vector check).
     */
    void apply(double[] rows, int off, int m, double[] dest, int step) {
      double[] v = m * n == in.length ? in : new double[m * n];
      double[] av = m * n == out.length ? out : new double[m * n];
      Kernels.transpose(m, n, rows, off, n, v, 0, m);
      map.apply(v, m, av);
      int bad = Kernels.firstNonFinite(m * n, av, 0);
      if (bad >= 0) {
        throw new IllegalStateException("Lanczos: the map returned a non-finite value (component "
            + bad / m + " of vector " + bad % m + ")"
            + (step >= 0 ? " at Krylov dimension " + step : " on the Ritz vectors"));
      }
      Kernels.transpose(n, m, av, 0, m, dest, 0, n);
      vectorsApplied += m;
    }
  }

  private static int requireNonNegative(String what, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("Lanczos: " + what + " must be >= 0, got " + count);
    }
    return count;
  }
}
