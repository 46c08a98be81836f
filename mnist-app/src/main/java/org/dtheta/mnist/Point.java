package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyFormatException;

/**
 * A point theta at which to analyse the update map, with the model it belongs to: a saved step
 * of a training run, or a parameter file.
 *
 * @param theta the parameters
 * @param model the network, data and update map
 * @param label how to name the point in messages and plots
 */
record Point(double[] theta, Model model, String label) {

  /**
   * From {@code runDir} at {@code step}, or else from {@code thetaFile}; {@code k}, {@code
   * hidden}, {@code lr} override the run's values (null: the run's, or 60000, inferred, 0.1).
   */
  static Point resolve(Path runDir, int step, Path thetaFile, Integer k, Integer hidden, Double lr,
      DataOptions data, Model.Needs needs, PrintWriter log) throws IOException, InterruptedException {
    if (runDir != null) {
      RunDir run = new RunDir(runDir);
      TrainConfig config = run.config();
      if (hidden != null && hidden != config.hidden()) {
        throw new IllegalArgumentException("--hidden " + hidden + " differs from the run's "
            + config.hidden() + " (" + run.runJson() + ")");
      }
      double[] theta = run.theta(config, step);
      Model model = Model.forRun(run, config, k, lr, data, needs, log);
      return new Point(theta, model, "step " + step + " of " + runDir);
    }
    double[] theta = Npy.readVector(thetaFile, -1, "--theta (parameters of a 784-H-10 network)");
    int inferred = Model.hiddenFor(theta.length);
    if (inferred < 0) {
      throw new NpyFormatException(thetaFile, theta.length + " parameters fit no 784-H-10 network"
          + " (P = 795*H + 10)");
    }
    if (hidden != null && hidden != inferred) {
      throw new NpyFormatException(thetaFile, theta.length + " parameters are a 784-" + inferred
          + "-10 network, not 784-" + hidden + "-10 (--hidden)");
    }
    Model model = Model.load(data, null, k != null ? k : 60000, inferred, lr != null ? lr : 0.1,
        needs, log);
    return new Point(theta, model, thetaFile.getFileName().toString());
  }
}
