package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Activation;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.Objective;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyReader;
import org.dtheta.nn.sensitivity.Sensitivities;
import org.dtheta.nn.sensitivity.TrajectorySensitivity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dtheta sensitivity} on small runs (784-1-10 sigmoid, P = 805; 784-3-2-10 tanh, P =
 * 2411): the files and fields, the library's numbers bit for bit, and bad input.
 */
class SensitivityTest {

  static final double LR = 0.5;
  static final int STEPS = 5;
  static final int K = 12;

  @TempDir static Path tmp;
  static Path data;

  static Path train(String name, String hidden, String activation, String saveEvery) {
    Path out = tmp.resolve(name);
    Fixtures.Result r = Fixtures.run("train", "--data", data.toString(), "--k", "" + K,
        "--hidden", hidden, "--activation", activation, "--steps", "" + STEPS, "--save-every",
        saveEvery, "--lr", "" + LR, "--init-std", "0.5", "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    return out;
  }

  @BeforeAll
  static void data() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), false);
  }

  /** The library's sensitivities of the run in {@code run}, of {@code loss}, observing {@code observed}. */
  static Sensitivities library(Path run, Objective loss, Objective observed) throws IOException {
    double[][] thetas;
    try (NpyReader r = NpyReader.open(run.resolve("trajectory.npy"))) {
      thetas = new double[STEPS + 1][];
      for (int t = 0; t <= STEPS; t++) {
        thetas[t] = r.readRow(t);
      }
    }
    UpdateMap map = loss instanceof TwoLayerNet net ? new UpdateMap(net) : UpdateMap.of(loss, LR);
    return new TrajectorySensitivity(map).observable(observed).run(t -> thetas[t], STEPS);
  }

  /** Runs the command into {@code out} and checks its files against {@code expected}. */
  static void check(Path run, Path out, String observable, Sensitivities expected, int p,
      String architecture) throws IOException {
    Fixtures.Result r = Fixtures.run("sensitivity", "--run", run.toString(), "--observable",
        observable, "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Wrote"), r.toString());
    double[] gradient = Npy.readVector(out.resolve("dloss_dtheta0.npy"), p, "dloss_dtheta0");
    double[] tangent = Npy.readVector(out.resolve("dtheta_dalpha.npy"), p, "dtheta_dalpha");
    assertArrayEquals(new long[] {p}, Npy.header(out.resolve("dloss_dtheta0.npy")).shape());
    assertArrayEquals(new long[] {p}, Npy.header(out.resolve("dtheta_dalpha.npy")).shape());
    assertArrayEquals(expected.dlossDtheta0(), gradient, 0.0);
    assertArrayEquals(expected.dthetaDalpha(), tangent, 0.0);
    JsonObject json = Json.readObject(out.resolve("sensitivity.json"));
    assertEquals(expected.lossFinal(), json.get("loss_final").getAsDouble(), 0.0);
    assertEquals(expected.dlossDalphaTangent(), json.get("dloss_dalpha_tangent").getAsDouble(), 0.0);
    assertEquals(expected.dlossDalphaAdjoint(), json.get("dloss_dalpha_adjoint").getAsDouble(), 0.0);
    assertEquals(STEPS, json.get("steps").getAsInt());
    assertTrue(json.get("seconds").getAsDouble() >= 0);
    assertEquals(observable, json.get("observable").getAsString());
    assertEquals(LR, json.get("alpha").getAsDouble(), 0.0);
    assertEquals(architecture, json.get("architecture").getAsString());
    assertEquals(0.0, json.get("replay_error").getAsDouble());
    assertTrue(json.get("relative_difference").getAsDouble() < 1e-10, json.toString());
    assertTrue(Math.abs(expected.dlossDalphaTangent()) > 0, "a run that depends on alpha");
    List<String> left = Files.list(out).map(f -> f.getFileName().toString())
        .filter(n -> n.startsWith(".")).toList();
    assertEquals(List.of(), left, "no lock or temporary files left");
  }

  @Test
  void twoLayerRunGivesTheLibrarysNumbersForBothObservables() throws IOException {
    Path run = train("run1", "1", "sigmoid", "1");
    Mnist mnist = Mnist.load(data, K);
    TwoLayerNet net = new TwoLayerNet(TrainConfig.network(1, LR), mnist.train());
    TwoLayerNet testLoss = new TwoLayerNet(TrainConfig.network(1, LR), mnist.test());
    check(run, tmp.resolve("s1-train"), "train_loss", library(run, net, net), 805, "784-1-10");
    check(run, tmp.resolve("s1-test"), "test_loss", library(run, net, testLoss), 805, "784-1-10");
    // the default observable is the training loss; the default folder the run's
    Fixtures.Result r = Fixtures.run("sensitivity", "--run", run.toString(), "--quiet");
    assertEquals(0, r.code(), r.toString());
    assertEquals(Json.readObject(tmp.resolve("s1-train/sensitivity.json")).get("loss_final"),
        Json.readObject(run.resolve("sensitivity.json")).get("loss_final"));
    assertArrayEquals(Npy.read(tmp.resolve("s1-train/dloss_dtheta0.npy")),
        Npy.read(run.resolve("dloss_dtheta0.npy")), 0.0);
  }

  @Test
  void deeperRunGivesTheLibrarysNumbers() throws IOException {
    Path run = train("run3", "3,2", "tanh", "1");
    Mnist mnist = Mnist.load(data, K);
    int[] sizes = {784, 3, 2, 10};
    Mlp mlp = new Mlp(sizes, Activation.TANH, 0.0, mnist.train());
    Mlp testLoss = new Mlp(sizes, Activation.TANH, 0.0, mnist.test());
    int p = 784 * 3 + 3 + 3 * 2 + 2 + 2 * 10 + 10;
    check(run, tmp.resolve("s3-test"), "test_loss", library(run, mlp, testLoss), p,
        "784-3-2-10 tanh");
  }

  @Test
  void badInputExitsTwoNamingTheProblem() throws IOException {
    Path sparse = train("every2", "1", "sigmoid", "5");
    Path out = tmp.resolve("bad");
    Fixtures.Result r = Fixtures.run("sensitivity", "--run", sparse.toString(), "--quiet",
        "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--save-every 5") && r.err().contains("trajectory.npy"),
        r.toString());

    r = Fixtures.run("sensitivity", "--run", tmp.resolve("nowhere").toString(), "--quiet",
        "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("run.json"), r.toString());

    Path run = train("run-bad", "1", "sigmoid", "1");
    r = Fixtures.run("sensitivity", "--run", run.toString(), "--observable", "accuracy",
        "--quiet", "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--observable"), r.toString());

    // other images than the run's: the stored steps are not this data's gradient descent
    Path other = Files.createDirectories(tmp.resolve("other-mnist"));
    Fixtures.write(other, "train-images-idx3-ubyte", Fixtures.images(Fixtures.TRAIN, 77), false);
    Fixtures.write(other, "train-labels-idx1-ubyte", Fixtures.labels(Fixtures.TRAIN, 2), false);
    Fixtures.write(other, "t10k-images-idx3-ubyte", Fixtures.images(Fixtures.TEST, 3), false);
    Fixtures.write(other, "t10k-labels-idx1-ubyte", Fixtures.labels(Fixtures.TEST, 4), false);
    r = Fixtures.run("sensitivity", "--run", run.toString(), "--data", other.toString(),
        "--quiet", "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--data") && r.err().contains("not gradient descent"),
        r.toString());
    assertFalse(Files.exists(out.resolve("sensitivity.json")), "nothing written on bad input");
    assertFalse(Files.exists(out.resolve("dloss_dtheta0.npy")), "nothing written on bad input");
  }
}
