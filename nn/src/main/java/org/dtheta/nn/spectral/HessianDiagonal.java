package org.dtheta.nn.spectral;

import java.io.IOException;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.nn.HvpHessianPanels;
import org.dtheta.nn.Objective;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.structured.StructuredHessianPanels;

/**
 * The exact diagonal of {@code Hess L(theta)} of any {@link Objective}, and with it the exact
 * trace. Two routes, chosen here:
 *
 * <ul>
 *   <li>{@link Route#STRUCTURED}: a two-layer net with a dense first layer, by its Kronecker
 *       structure ({@link StructuredHessianPanels#diagonal}): the diagonals of the per-sample
 *       curvatures weighted by the squared data, and the second layer's unit sweeps of the top
 *       of the net; seconds for the 784-50-10 net on all of MNIST;
 *   <li>{@link Route#PANELS}: any other objective, by products with unit vectors in panels of
 *       {@link HvpHessianPanels} (the diagonal of each panel): P directions, as costly as the whole
 *       Hessian's products; where that is too dear use {@link org.dtheta.core.linalg.Hutchinson}.
 * </ul>
 */
public final class HessianDiagonal {

  /** How the diagonal is computed. */
  public enum Route {
    /** By the two-layer net's structure. */
    STRUCTURED,
    /** By Hessian products with unit vectors. */
    PANELS
  }

  private HessianDiagonal() {}

  /** The route {@link #of} takes for {@code objective}. */
  public static Route route(Objective objective) {
    return objective instanceof TwoLayerNet net && net.config().denseFirstLayer()
        ? Route.STRUCTURED
        : Route.PANELS;
  }

  /** The diagonal of {@code Hess L(theta)} (length P) by {@link #route}; reports rows done. */
  public static double[] of(Objective objective, double[] theta, ProgressListener progress) {
    if (route(objective) == Route.STRUCTURED) {
      double[] d = new StructuredHessianPanels((TwoLayerNet) objective).diagonal(theta);
      progress.update(d.length, d.length);
      return d;
    }
    return byProducts(objective, theta, progress);
  }

  /**
   * The diagonal by unit-vector products, the objective's default directions per sweep at a
   * time: the route for any objective, and an oracle for the structured one.
   */
  public static double[] byProducts(Objective objective, double[] theta, ProgressListener progress) {
    int p = objective.dimension();
    int rows = Math.max(1, Math.min(objective.defaultDirectionsPerSweep(), p));
    double[] diagonal = new double[p];
    try {
      new HvpHessianPanels(objective).write(theta, (first, count, panel) -> {
        for (int r = 0; r < count; r++) {
          diagonal[first + r] = panel[r * p + first + r];
        }
      }, rows, progress);
    } catch (IOException e) {
      throw new AssertionError("an in-memory sink does no I/O", e);
    }
    return diagonal;
  }

  /** The trace: the sum of {@link #of}. */
  public static double trace(double[] diagonal) {
    return Kernels.sum(diagonal.length, diagonal, 0);
  }
}
