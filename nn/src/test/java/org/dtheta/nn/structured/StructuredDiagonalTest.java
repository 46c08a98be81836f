package org.dtheta.nn.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Random;
import org.dtheta.nn.Activation;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.Loss;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.OutputLayer;
import org.dtheta.nn.Presets;
import org.dtheta.nn.TwoLayerNet;
import org.junit.jupiter.api.Test;

/**
 * {@link StructuredHessianPanels#diagonal} against two oracles that share none of its code: the
 * diagonal of the dense Hessian from the engine's unit-vector products on the whole loss
 * (forward-over-reverse, dense X), and central differences of the gradient (first order only).
 */
class StructuredDiagonalTest {

  private static void check(NetworkConfig config, int k, int chunkRows, int dirs, long seed)
      throws IOException {
    Random rnd = new Random(seed);
    Dataset data = StructuredHessianPanelsTest.sparseData(rnd, config, k, 0.4);
    TwoLayerNet net = new TwoLayerNet(config, data);
    double[] theta = StructuredHessianPanelsTest.randomTheta(rnd, config.layout(), 0.8);
    double[] got = new StructuredHessianPanels(config, data, chunkRows, dirs).diagonal(theta);
    int p = theta.length;
    double[] dense = StructuredHessianPanelsTest.reference(net, theta);
    double scale = 0;
    for (int i = 0; i < p; i++) {
      scale = Math.max(scale, Math.abs(dense[i * p + i]));
    }
    double[] plus = new double[p];
    double[] minus = new double[p];
    double h = 1e-5;
    for (int i = 0; i < p; i++) {
      assertEquals(dense[i * p + i], got[i], 1e-12 * scale, config + ": entry " + i + " vs dense");
      double saved = theta[i];
      theta[i] = saved + h;
      net.lossAndGradient(theta, plus);
      theta[i] = saved - h;
      net.lossAndGradient(theta, minus);
      theta[i] = saved;
      double fd = (plus[i] - minus[i]) / (2 * h);
      assertEquals(fd, got[i], 1e-6 * Math.max(1, scale), config + ": entry " + i + " vs differences");
    }
  }

  @Test
  void mnistFamilyDiagonalMatchesDenseHessianAndDifferences() throws IOException {
    NetworkConfig c = Presets.mnist().withInputs(12).withHidden(5).withOutputs(4);
    check(c, 17, 6, 5, 1); // chunks of 6 samples (a short last one), 5 tail directions per sweep
    check(c, 17, 0, 0, 2);
  }

  @Test
  void otherLossesActivationsAndL2() throws IOException {
    check(Presets.seed003(0.7).withInputs(8).withHidden(5).withOutputs(3), 11, 4, 3, 3);
    check(Presets.seed004().withInputs(4).withHidden(5), 7, 3, 2, 4);
    check(new NetworkConfig(5, 3, 2, Activation.TANH, true, OutputLayer.IDENTITY,
        Loss.SQUARED_ERROR, 0.3, 0.05), 9, 0, 0, 5);
  }
}
