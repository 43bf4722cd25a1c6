import com.sun.tools.attach.VirtualMachine;

/**
 * Loads a native agent into a running JVM: {@code java bench/lib/AgentLoad.java PID LIBRARY OPTIONS}.
 * bench/profile drives async-profiler with it (start, dump, stop), since {@code jcmd JVMTI.agent_load}
 * on JDK 17 does not take an absolute library path.
 */
public final class AgentLoad {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java AgentLoad.java PID LIBRARY OPTIONS");
            System.exit(2);
        }
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try {
            vm.loadAgentPath(args[1], args[2]);
        } finally {
            vm.detach();
        }
    }
}
