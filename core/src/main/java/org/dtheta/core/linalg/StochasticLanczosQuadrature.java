package org.dtheta.core.linalg;

import java.util.SplittableRandom;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;

/**
 * The eigenvalue density of a symmetric {@link LinearMap} by stochastic Lanczos quadrature, as
 * PyHessian's ESD (Ghorbani, Krishnan and Xiao 2019; Yao et al. 2020): from each of a few random
 * unit starts {@code q}, {@code m} Lanczos steps give a tridiagonal {@code T} whose eigenvalues
 * {@code theta_j} (nodes) and squared first eigenvector components {@code tau_j} (weights) form
 * the Gauss quadrature of the spectral measure seen from {@code q}: {@code q^T f(A) q = sum_j
 * tau_j f(theta_j)}, exactly for polynomials {@code f} of degree below {@code 2m}. With {@code q}
 * a normalised Rademacher vector, {@code E[q^T f(A) q] = trace f(A) / n}: averaged over starts and
 * broadened by a Gaussian, the quadrature is an estimate of the density {@code (1/n) sum_i
 * delta(lambda - lambda_i)}. Its mean is the estimate {@code trace(A)/n}, its second moment
 * {@code trace(A^2)/n + sigma^2}.
 *
 * <p>All starts advance together: each step applies the map to one vector per start in one call
 * (one batched Hessian sweep). Each start keeps its own basis and reorthogonalises against it
 * fully (twice), which prevents the ghost copies of converged eigenvalues that plain Lanczos
 * makes; memory is {@code starts * m * n} doubles. A start whose Krylov space becomes invariant
 * stops early, its quadrature then exact. Seeded: the same map, sizes and seed give the same bits.
 */
public final class StochasticLanczosQuadrature {

  /** A new vector this much shorter than the largest step seen means an invariant subspace. */
  private static final double BREAKDOWN = 1e-10;

  private StochasticLanczosQuadrature() {}

  /**
   * The quadrature of each start.
   *
   * @param dimension n
   * @param nodes per start, the Ritz values, ascending
   * @param weights per start, the squared first components of their eigenvectors (sum 1)
   */
  public record Quadrature(int dimension, double[][] nodes, double[][] weights) {

    /** The number of starts. */
    public int starts() {
      return nodes.length;
    }

    /**
     * The {@code power}-th moment of the quadrature averaged over starts, an estimate of
     * {@code trace(A^power) / n}.
     */
    public double moment(int power) {
      double total = 0.0;
      for (int s = 0; s < nodes.length; s++) {
        double sum = 0.0;
        for (int j = 0; j < nodes[s].length; j++) {
          sum += weights[s][j] * Math.pow(nodes[s][j], power);
        }
        total += sum;
      }
      return total / nodes.length;
    }

    /** The smallest node of any start. */
    public double minNode() {
      double min = Double.POSITIVE_INFINITY;
      for (double[] n : nodes) {
        min = Math.min(min, n[0]);
      }
      return min;
    }

    /** The largest node of any start. */
    public double maxNode() {
      double max = Double.NEGATIVE_INFINITY;
      for (double[] n : nodes) {
        max = Math.max(max, n[n.length - 1]);
      }
      return max;
    }

    /**
     * PyHessian's broadening: {@code sigma^2 = 1e-5 max(1, width)} for nodes spanning {@code
     * width}, narrow enough to resolve the outliers of a Hessian spectrum, wide enough to smooth
     * the nodes of a few starts into a density.
     */
    public double defaultSigma() {
      return Math.sqrt(1e-5 * Math.max(1.0, maxNode() - minNode()));
    }

    /**
     * The density on {@code points} equally spaced values from 6 sigma below the smallest node
     * to 6 sigma above the largest: the mean over starts of {@code sum_j tau_j N(lambda;
     * theta_j, sigma^2)}. Beyond 6 sigma a Gaussian keeps less than 2e-9 of its mass, so the
     * density integrates to 1 on the grid as long as its spacing is below about sigma.
     */
    public Density density(double sigma, int points) {
      if (!(sigma > 0) || !Double.isFinite(sigma)) {
        throw new IllegalArgumentException("density: sigma must be finite and > 0, not " + sigma);
      }
      if (points < 2) {
        throw new IllegalArgumentException("density: at least 2 grid points, not " + points);
      }
      double lo = minNode() - 6 * sigma;
      double hi = maxNode() + 6 * sigma;
      double[] grid = new double[points];
      double[] density = new double[points];
      double norm = 1.0 / (Math.sqrt(2 * Math.PI) * sigma * nodes.length);
      for (int g = 0; g < points; g++) {
        double x = lo + (hi - lo) * g / (points - 1);
        grid[g] = x;
        double sum = 0.0;
        for (int s = 0; s < nodes.length; s++) {
          for (int j = 0; j < nodes[s].length; j++) {
            double u = (x - nodes[s][j]) / sigma;
            sum += weights[s][j] * Math.exp(-0.5 * u * u);
          }
        }
        density[g] = norm * sum;
      }
      return new Density(grid, density, sigma);
    }
  }

  /**
   * A broadened density on a grid.
   *
   * @param grid the eigenvalue axis, equally spaced, ascending
   * @param density the density at each grid value
   * @param sigma the standard deviation of the Gaussian broadening
   */
  public record Density(double[] grid, double[] density, double sigma) {

    /** {@code integral lambda^power density(lambda)} by the trapezoid rule on the grid. */
    public double moment(int power) {
      int n = grid.length;
      double h = (grid[n - 1] - grid[0]) / (n - 1);
      double sum = 0.0;
      for (int g = 0; g < n; g++) {
        double f = density[g] * Math.pow(grid[g], power);
        sum += g == 0 || g == n - 1 ? 0.5 * f : f;
      }
      return h * sum;
    }
  }

  /**
   * Runs {@code steps} Lanczos steps (fewer on an invariant subspace, at most n) from each of
   * {@code starts} normalised Rademacher vectors drawn from {@code seed}; reports steps done.
   */
  public static Quadrature run(LinearMap a, int starts, int steps, long seed,
      ProgressListener progress) {
    int n = a.dimension();
    if (starts < 1) {
      throw new IllegalArgumentException("SLQ: at least 1 start, not " + starts);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("SLQ: at least 1 Lanczos step, not " + steps);
    }
    int m = Math.min(steps, n);
    if ((long) m * n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "SLQ: a basis of " + m + " vectors of " + n + " does not fit in one array");
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[][] basis = new double[starts][m * n];
    double[][] alpha = new double[starts][m];
    double[][] beta = new double[starts][m];
    int[] length = new int[starts];
    boolean[] active = new boolean[starts];
    double scale = 1.0 / Math.sqrt(n);
    for (int s = 0; s < starts; s++) {
      for (int i = 0; i < n; i++) {
        basis[s][i] = random.nextBoolean() ? scale : -scale;
      }
      active[s] = true;
    }
    double[] w = new double[n];
    for (int j = 0; j < m; j++) {
      int count = 0;
      for (int s = 0; s < starts; s++) {
        count += active[s] ? 1 : 0;
      }
      if (count == 0) {
        break;
      }
      double[] in = new double[n * count];
      double[] out = new double[n * count];
      for (int s = 0, d = 0; s < starts; s++) {
        if (active[s]) {
          for (int i = 0; i < n; i++) {
            in[i * count + d] = basis[s][j * n + i];
          }
          d++;
        }
      }
      a.apply(in, count, out);
      for (int s = 0, d = 0; s < starts; s++) {
        if (!active[s]) {
          continue;
        }
        for (int i = 0; i < n; i++) {
          w[i] = out[i * count + d];
        }
        d++;
        double[] q = basis[s];
        alpha[s][j] = Kernels.dot(n, q, j * n, w, 0);
        length[s] = j + 1;
        // Full reorthogonalisation, twice: the three-term recurrence alone loses orthogonality.
        for (int pass = 0; pass < 2; pass++) {
          for (int i = 0; i <= j; i++) {
            Kernels.axpy(n, -Kernels.dot(n, q, i * n, w, 0), q, i * n, w, 0);
          }
        }
        double b = Math.sqrt(Kernels.dot(n, w, 0, w, 0));
        double size = Math.abs(alpha[s][j]) + (j > 0 ? beta[s][j - 1] : 0.0);
        if (j + 1 == m || b <= BREAKDOWN * Math.max(size, Double.MIN_NORMAL)) {
          active[s] = false;
          continue;
        }
        beta[s][j] = b;
        for (int i = 0; i < n; i++) {
          q[(j + 1) * n + i] = w[i] / b;
        }
      }
      progress.update(j + 1, m);
    }
    double[][] nodes = new double[starts][];
    double[][] weights = new double[starts][];
    for (int s = 0; s < starts; s++) {
      int k = length[s];
      double[] t = new double[k * k];
      for (int i = 0; i < k; i++) {
        t[i * k + i] = alpha[s][i];
        if (i + 1 < k) {
          t[i * k + i + 1] = beta[s][i];
          t[(i + 1) * k + i] = beta[s][i];
        }
      }
      SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(t, k, true);
      nodes[s] = d.values();
      weights[s] = new double[k];
      for (int i = 0; i < k; i++) {
        double first = d.vectors()[i * k];
        weights[s][i] = first * first;
      }
    }
    return new Quadrature(n, nodes, weights);
  }
}
