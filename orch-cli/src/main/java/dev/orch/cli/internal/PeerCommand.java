package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentInfo;
import dev.orch.core.AgentMessage;
import dev.orch.core.InboxPage;
import dev.orch.core.InboxReceipt;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.WireJson;
import dev.orch.core.spi.InboxMessage;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code peer}: the command line of a running agent (the TS server's {@code peer}): {@code whoami}, {@code list},
 * {@code send <to> <text> [--kind K] [--reply-to ID]}, {@code inbox [--after SEQ]}, {@code wait [--timeout MS]},
 * each with {@code --as NAME}, {@code --cwd DIR}, {@code --json}. Built on {@code Orchestrator.listAgents},
 * {@code sendAgentMessage} and {@code fetchAgentMessages} (SPEC §2 tools 8–10); messages stay within one cwd.
 */
@Command(name = "peer", mixinStandardHelpOptions = true, versionProvider = OrchCommand.Version.class,
    description = "Talk to the other agents of this working directory (identity: PEER_NAME, PEER_CWD).",
    subcommands = {PeerCommand.WhoAmI.class, PeerCommand.ListAgents.class, PeerCommand.Send.class,
        PeerCommand.Inbox.class, PeerCommand.Wait.class, CommandLine.HelpCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  ok   2  usage error or no identity   3  unknown agent   4  conflict   6  store error"})
public final class PeerCommand implements Runnable {
  /** Inbox poll interval of {@code peer wait}, ms. */
  static final long WAIT_POLL_MS = 50;

  final Cli cli;

  @Spec
  CommandLine.Model.CommandSpec spec;

  /** @param cli shared context */
  public PeerCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'peer --help'");
  }

  /** @return the configured picocli command line for {@code peer} */
  public static CommandLine commandLine(Cli cli) {
    return OrchCommand.configure(new CommandLine(new PeerCommand(cli)), cli, "peer");
  }

  /** Options every peer command takes. */
  static final class Identity {
    @Option(names = "--as", paramLabel = "NAME", description = "Act as this agent (default: $PEER_NAME).")
    String as;

    @Option(names = "--cwd", paramLabel = "DIR", description = "The agents' working directory (default: $PEER_CWD,"
        + " else here).")
    String cwd;

    @Option(names = "--json", description = "Print JSON (the MCP tool shapes).")
    boolean json;

    /** @return the agent name, or null when none is known */
    String name(Cli cli) {
      String n = as != null ? as : cli.env().get("PEER_NAME");
      return n == null || n.isBlank() ? null : n.trim();
    }

    /** @throws OrchException INVALID_ARGUMENT when there is no identity */
    String requireName(Cli cli) {
      String n = name(cli);
      if (n == null) {
        throw OrchException.invalid("no identity: PEER_NAME is not set (agent runs get it); pass --as NAME");
      }
      return n;
    }

    String dir(Cli cli) {
      String c = cwd != null ? cwd : cli.env().get("PEER_CWD");
      return Cli.cwd(c).toString();
    }
  }

  /** {@code peer whoami}. */
  @Command(name = "whoami", mixinStandardHelpOptions = true, description = "Print this agent's name and session.")
  static final class WhoAmI implements Callable<Integer> {
    @ParentCommand
    PeerCommand peer;

    @Mixin
    Identity id;

    @Override
    public Integer call() {
      Cli cli = peer.cli;
      String name = id.requireName(cli);
      String dir = id.dir(cli);
      AgentInfo me = null;
      try (Orchestrator orch = cli.open(false)) {
        for (AgentInfo a : orch.listAgents(dir, null, null)) {
          if (a.agentName().equals(name)) {
            me = a;
          }
        }
      }
      String session = me != null ? me.sessionId().value() : cli.env().get("PEER_SESSION_ID");
      if (id.json) {
        ObjectNode n = me != null ? WireJson.agent(me) : Wire.JSON.createObjectNode().put("agent_name", name)
            .put("session_id", session).put("cwd", dir);
        cli.out().println(Wire.pretty(n));
      } else {
        cli.out().println(name + (session == null ? "" : " (session " + session + ")")
            + (me != null && me.role() != null ? " role " + me.role().wire() + ", " + me.status() : "") + " in " + dir);
      }
      return ExitCodes.OK;
    }
  }

  /** {@code peer list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the agents of this directory.")
  static final class ListAgents implements Callable<Integer> {
    @ParentCommand
    PeerCommand peer;

    @Mixin
    Identity id;

    @Override
    public Integer call() {
      Cli cli = peer.cli;
      List<AgentInfo> agents;
      try (Orchestrator orch = cli.open(false)) {
        agents = orch.listAgents(id.dir(cli), null, null);
      }
      if (id.json) {
        cli.out().println(Wire.pretty(WireJson.agents(agents)));
        return ExitCodes.OK;
      }
      String me = id.name(cli);
      Table t = new Table("AGENT", "ROLE", "STATUS", "LAST RUN");
      for (AgentInfo a : agents) {
        t.row(a.agentName() + (a.agentName().equals(me) ? " (you)" : ""), a.role() == null ? "" : a.role().wire(),
            cli.terminal().status(a.status()), a.lastRunId() == null ? "" : a.lastRunId().value());
      }
      cli.out().print(t.render(cli.terminal()));
      return ExitCodes.OK;
    }
  }

  /** {@code peer send <to> <text>}. */
  @Command(name = "send", mixinStandardHelpOptions = true, description = "Send a text message to another agent.")
  static final class Send implements Callable<Integer> {
    @ParentCommand
    PeerCommand peer;

    @Mixin
    Identity id;

    @Parameters(index = "0", paramLabel = "TO", description = "Recipient agent name.")
    String to;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TEXT", description = "The message (words joined).")
    List<String> text;

    @Option(names = "--kind", paramLabel = "K", description = "Message kind, stored in metadata.kind (e.g. question).")
    String kind;

    @Option(names = "--reply-to", paramLabel = "ID", description = "message_id this answers (metadata.reply_to).")
    String replyTo;

    @Override
    public Integer call() {
      Cli cli = peer.cli;
      ObjectNode meta = Wire.JSON.createObjectNode();
      if (kind != null) {
        meta.put("kind", kind);
      }
      if (replyTo != null) {
        meta.put("reply_to", replyTo);
      }
      InboxReceipt r;
      try (Orchestrator orch = cli.open(false)) {
        r = orch.sendAgentMessage(to, id.name(cli), id.dir(cli), AgentMessage.userText(String.join(" ", text)),
            meta.isEmpty() ? null : meta);
      }
      if (id.json) {
        cli.out().println(Wire.pretty(WireJson.receipt(r)));
      } else {
        cli.out().println("sent " + r.messageId() + " to " + r.toAgentName() + " (seq " + r.seq() + ")");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code peer inbox [--after SEQ]}. */
  @Command(name = "inbox", mixinStandardHelpOptions = true, description = "Print this agent's messages.")
  static final class Inbox implements Callable<Integer> {
    @ParentCommand
    PeerCommand peer;

    @Mixin
    Identity id;

    @Option(names = "--after", paramLabel = "SEQ", defaultValue = "0", description = "Messages after this seq.")
    long after;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N (1..1000).")
    int limit;

    @Override
    public Integer call() {
      Cli cli = peer.cli;
      try (Orchestrator orch = cli.open(false)) {
        print(cli, id, orch.fetchAgentMessages(id.requireName(cli), id.dir(cli), after, limit));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code peer wait [--timeout MS]}: long-polls the inbox. */
  @Command(name = "wait", mixinStandardHelpOptions = true,
      description = {"Wait until a message arrives (newer than --after, default: newer than those present now)",
          "and print it; nothing (exit 0) when the timeout passes first. Checks the inbox every 50 ms."})
  static final class Wait implements Callable<Integer> {
    @ParentCommand
    PeerCommand peer;

    @Mixin
    Identity id;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "30000",
        description = "Give up after MS milliseconds (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--after", paramLabel = "SEQ", description = "Wait for messages after this seq.")
    Long after;

    @Override
    public Integer call() throws InterruptedException {
      Cli cli = peer.cli;
      String name = id.requireName(cli);
      String dir = id.dir(cli);
      long deadline = System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000L;
      try (Orchestrator orch = cli.open(false)) {
        long from = after != null ? after : latestSeq(orch, name, dir);
        while (true) {
          InboxPage page = orch.fetchAgentMessages(name, dir, from, 100);
          if (!page.messages().isEmpty() || System.nanoTime() >= deadline) {
            print(cli, id, page);
            return ExitCodes.OK;
          }
          Thread.sleep(WAIT_POLL_MS);
        }
      }
    }

    private static long latestSeq(Orchestrator orch, String name, String dir) {
      long seq = 0;
      while (true) {
        InboxPage page = orch.fetchAgentMessages(name, dir, seq, 1000);
        if (page.messages().isEmpty()) {
          return seq;
        }
        seq = page.nextAfterSeq();
      }
    }
  }

  static void print(Cli cli, Identity id, InboxPage page) {
    if (id.json) {
      cli.out().println(Wire.pretty(WireJson.inbox(page)));
      return;
    }
    for (InboxMessage m : page.messages()) {
      String kind = m.metadata().path("kind").asText("");
      cli.out().println("#" + m.seq() + " from " + (m.fromAgentName() == null ? "(unknown)" : m.fromAgentName())
          + (kind.isEmpty() ? "" : " [" + kind + "]") + " " + m.messageId() + ": " + m.body().render());
    }
  }
}
