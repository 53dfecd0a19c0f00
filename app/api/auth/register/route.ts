// POST /api/auth/register — create an account (email + password); does not sign in
import { registerSchema } from "@/lib/auth/schemas";
import { registerUser } from "@/lib/auth/users";
import { limitRegister } from "@/lib/http/auth-guard";
import { sessionRoute } from "@/lib/http/session-route";

export const POST = limitRegister(
  sessionRoute({ mutation: true, body: true }, async ({ session, body }) => ({
    session,
    status: 201,
    json: { user: await registerUser(registerSchema.parse(body)) },
  })),
);
