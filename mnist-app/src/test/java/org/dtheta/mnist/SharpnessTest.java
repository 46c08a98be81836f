package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.NpyReader;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --sharpness-every}: the column against spectrum and a dense eigensolver, resume. */
class SharpnessTest {

  static final double LR = 0.5;

  @TempDir static Path tmp;
  static Path data;

  @BeforeAll
  static void data() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), false);
  }

  /** A 784-2-10 run on 12 images, every step saved; {@code extra} options replace the defaults. */
  private static Fixtures.Result train(Path out, String... extra) {
    return Fixtures.run(Fixtures.withOptions(List.of("train", "--data", data.toString(), "--k", "12",
        "--hidden", "2", "--steps", "6", "--save-every", "1", "--lr", "" + LR, "--seed", "3",
        "--init-std", "1", "--sharpness-every", "2", "--quiet", "--out", out.toString()), extra));
  }

  @Test
  void sharpnessColumnEqualsSpectrumAndTheDenseTopEigenvalue() throws IOException {
    Path run = tmp.resolve("run");
    Fixtures.Result r = train(run);
    assertEquals(0, r.code(), r.toString());
    List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
    assertEquals("step,loss,train_accuracy,test_accuracy,grad_norm,sharpness,seconds", lines.get(0));
    Metrics m = Metrics.read(run.resolve("metrics.csv"));
    for (int t = 0; t <= 6; t++) {
      assertEquals(t % 2 != 0, Double.isNaN(m.sharpness()[t]), "measured at 0, 2, 4, 6: " + lines);
      if (t % 2 != 0) {
        assertEquals("", lines.get(t + 1).split(",", -1)[5], "empty between measurements");
      }
    }
    Fixtures.Result s = Fixtures.run("spectrum", "--run", run.toString(), "--data", data.toString(),
        "--steps", "0,2,4,6", "--top", "1", "--bottom", "1", "--tol", "1e-9", "--quiet",
        "--out", tmp.resolve("spectrum").toString());
    assertEquals(0, s.code(), s.toString());
    List<String> sharp = Files.readAllLines(tmp.resolve("spectrum").resolve("sharpness.csv"));
    TwoLayerNet net = new TwoLayerNet(TrainConfig.network(2, LR), Mnist.load(data, 12).train());
    UpdateMap map = new UpdateMap(net);
    for (int t = 0; t <= 6; t += 2) {
      double fromSpectrum = Double.parseDouble(sharp.get(t / 2 + 1).split(",")[1]);
      assertEquals(fromSpectrum, m.sharpness()[t], 1e-8, "step " + t + " against spectrum");
      double[] theta;
      try (NpyReader reader = NpyReader.open(run.resolve("trajectory.npy"))) {
        theta = reader.readRow(t);
      }
      double dense = largestEigenvalue(map.dense(theta), map.dimension());
      assertEquals(dense, m.sharpness()[t], 1e-8 * Math.max(1, dense), "step " + t + " against EJML");
    }
    assertEquals('P', Files.readAllBytes(run.resolve(Training.SHARPNESS_PLOT))[1]);
    JsonObject json = Json.readObject(run.resolve("run.json"));
    assertEquals(2, json.getAsJsonObject("config").get("sharpness_every").getAsInt());
    assertEquals(2, json.getAsJsonObject("sharpness").get("every").getAsInt());
  }

  /** The largest eigenvalue of {@code (I - Df)/alpha} by EJML's dense symmetric solver. */
  private static double largestEigenvalue(double[] df, int p) {
    double[] h = new double[p * p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        h[i * p + j] = ((i == j ? 1 : 0) - df[i * p + j]) / LR;
      }
    }
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(p, false, true);
    assertTrue(eig.decompose(new DMatrixRMaj(p, p, true, h)));
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < p; i++) {
      max = Math.max(max, eig.getEigenvalue(i).getReal());
    }
    return max;
  }

  @Test
  void deeperNetSharpnessEqualsSpectrum() throws IOException {
    Path run = tmp.resolve("deep");
    Fixtures.Result r = train(run, "--hidden", "3,2", "--sharpness-every", "3");
    assertEquals(0, r.code(), r.toString());
    Metrics m = Metrics.read(run.resolve("metrics.csv"));
    Fixtures.Result s = Fixtures.run("spectrum", "--run", run.toString(), "--data", data.toString(),
        "--steps", "0,3,6", "--top", "1", "--bottom", "0", "--tol", "1e-9", "--quiet",
        "--out", tmp.resolve("deep-spectrum").toString());
    assertEquals(0, s.code(), s.toString());
    List<String> sharp = Files.readAllLines(tmp.resolve("deep-spectrum").resolve("sharpness.csv"));
    for (int t = 0; t <= 6; t += 3) {
      assertEquals(Double.parseDouble(sharp.get(t / 3 + 1).split(",")[1]), m.sharpness()[t], 1e-8,
          "784-3-2-10, step " + t);
    }
  }

  @Test
  void resumedRunWritesTheSameSharpnessBytes() throws IOException {
    Path whole = tmp.resolve("whole");
    assertEquals(0, train(whole, "--sharpness-every", "1").code());
    Path resumed = tmp.resolve("resumed");
    // the checkpoint after step 2 holds the warm start measured at step 2 for step 3
    Fixtures.Result stopped = train(resumed, "--sharpness-every", "1", "--stop-after", "3");
    assertEquals(0, stopped.code(), stopped.toString());
    assertTrue(Files.readString(resumed.resolve("checkpoint.json")).contains("\"sharpness_start\": \""));
    Fixtures.Result r = train(resumed, "--sharpness-every", "1");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Resuming"), r.toString());
    assertEquals(TrainTest.withoutSeconds(whole.resolve("metrics.csv")),
        TrainTest.withoutSeconds(resumed.resolve("metrics.csv")), "metrics with sharpness, byte for byte");
    assertFalse(Files.exists(resumed.resolve("checkpoint.json")));
  }

  @Test
  void divergingRunWithSharpnessStillExitsThree() throws IOException {
    Path out = tmp.resolve("diverging");
    Fixtures.Result r = train(out, "--lr", "1e308", "--sharpness-every", "1");
    assertEquals(MnistApp.DIVERGED, r.code(), r.toString());
    assertTrue(Files.readString(out.resolve("run.json")).contains("\"diverged\""));
    assertFalse(Double.isNaN(Metrics.read(out.resolve("metrics.csv")).sharpness()[0]),
        "step 0 was measured before the step that overflowed");
  }

  @Test
  void sharpnessEveryZeroExitsTwoNamingTheOption() {
    Path out = tmp.resolve("bad");
    Fixtures.Result r = train(out, "--sharpness-every", "0");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--sharpness-every"), r.toString());
    assertFalse(Files.exists(out.resolve("metrics.csv.partial")), "no work before the check");
  }
}
