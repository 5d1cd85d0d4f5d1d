"""Urgency: high recall on real danger, and no alarm for danger that is past or imagined."""
import pytest

from nlp import detect_urgency


@pytest.mark.parametrize("text, reason", [
    ("3号楼2单元电梯卡在8楼不动了，里面关着个老太太在喊救命", "trapped"),
    ("我被困在电梯里了 手机信号很差", "trapped"),
    ("电梯ka住了 在7楼和8楼中间 我在里面 救命", "trapped"),
    ("楼道里好大一股煤气味！！！四楼五楼都能闻到", "gas"),
    ("燃气表那里好像在漏气 嘶嘶响", "gas"),
    ("楼道着火了！！电动车在冒烟 快来人", "fire"),
    ("现在楼道全是黑烟 我和孩子出不去", "fire"),
    ("厨房冒烟了 油烟机着了 怎么办怎么办", "fire"),
    ("配电箱里噼里啪啦冒火花！！就在5栋1单元一楼", "wires"),
    ("楼道里的电线外皮破了铜丝都露出来了", "wires"),
    ("水管爆了！！！水漫到客厅了 快来人关总阀", "flood"),
    ("楼上水管爆了，水从天花板往下淌，床都泡了", "flood"),
    ("空调外机支架锈断了一边，机子斜挂着随时要掉", "falling"),
    ("东门上面那块广告牌被风吹得直晃，底下人来人往的", "falling"),
    ("有个男的拿着刀在东门那乱挥", "violence"),
    ("有人在撬我家门！！我在屋里不敢出声", "violence"),
])
def test_danger_now(text, reason):
    u = detect_urgency(text)
    assert u.urgent and u.reason == reason, u


@pytest.mark.parametrize("text, why", [
    ("上个月电梯困了人，到现在也没人来查", "past"),
    ("昨天有人被困在电梯里，物业到今天都没解释", "past"),
    ("昨晚B座电梯困了人，幸好十几分钟就弄出来了", "past"),
    ("要是哪天困人了谁负责？？这电梯晃得跟坐船一样", "hypothetical"),
    ("楼道里停满电动车，万一着火了怎么办", "hypothetical"),
    ("天台的门被锁死了 真着火了往哪逃", "hypothetical"),
    ("看新闻说别的城市有个小区着火了，大家平时也注意点", "hypothetical"),
    ("刚才水管爆了，总阀我已经关了，现在满地都是水，谁来修啊", "resolved"),
    ("刚才电梯困了我二十分钟，现在总算出来了", "resolved"),
    ("我家没有闻到煤气味，是楼下的", "negated"),
])
def test_danger_past_or_hypothetical(text, why):
    u = detect_urgency(text)
    assert not u.urgent, u
    assert why in {w for _, _, w in u.dismissed}


@pytest.mark.parametrize("text", [
    "我妈是特困户，物业费能减吗",             # 困 in a word that is not about lifts
    "燃气安检入户的通知说周二，我家那天没人咋办",
    "楼下烧烤店又开始冒烟了 烦死",            # kitchen smoke is a nuisance, not a fire
    "天然气没气了 灶打不着火",
    "楼上302漏水，我家天花板石膏板都掉下来一块",
    "电梯按钮按了没反应",
    "电动车在楼道飞线充电",
])
def test_not_urgent(text):
    assert not detect_urgency(text).urgent


@pytest.mark.parametrize("text", ["昨天困过人", "我们单元的电梯一个礼拜坏三次，上个月还困过人"])
def test_experience_is_not_urgent(text):
    assert not detect_urgency(text).urgent


def test_past_then_present_is_urgent():
    u = detect_urgency("昨天困过人，今天又困人了，快来")
    assert u.urgent and u.reason == "trapped"


def test_resolved_but_still_leaking_gas_is_urgent():
    assert detect_urgency("我家灶台边上一直有煤气味 关了总阀还是有").urgent


def test_full_width_text():
    assert detect_urgency("水管爆了！！！").urgent


# Word families added for things about to fall, lifts described without the usual words,
# open lift shafts and locks forced from outside. Sentences are written for the tests.
@pytest.mark.parametrize("text, reason", [
    ("单元门口的雨棚玻璃碎了一角 剩下的还悬着 小孩放学都从那走", "falling"),
    ("走廊扣板塌了一片 另一片斜吊在灯上", "falling"),
    ("6栋楼顶的旗杆在风里来回晃 下面是停车场", "falling"),
    ("五楼那扇窗扇合页断了 整扇窗随时会掉下去", "falling"),
    ("车库的限高杆松动了 一直在晃", "falling"),
    ("2号楼电梯门打开了 轿厢不在 人差点一脚踩进井道", "falling"),
    ("3楼电梯门关不上 露着井道 黑乎乎的", "falling"),
    ("我奶奶被困在货梯里 喊了半天没人应", "trapped"),
    ("我们一家三口被关在观光梯里了", "trapped"),
    ("我停在12层和13层之间了 灯也灭了 快来人", "trapped"),
    ("有人在拧我家门锁 我不敢开门 9栋1单元302", "violence"),
    ("门外有人用铁丝捅锁芯 已经报警了 物业快上来", "violence"),
])
def test_more_danger_now(text, reason):
    u = detect_urgency(text)
    assert u.urgent and u.reason == reason, u


@pytest.mark.parametrize("text", [
    "小区门口的地砖翘起来好几块 老人走路容易绊倒",  # floor tiles are not overhead
    "人行道的路砖松了 一踩就晃",
    "旁边那辆车把我家门口的护栏撞歪了 谁赔",  # knocked crooked: damage, not about to fall
    "隔壁晾衣服把我家防盗窗拽歪了",
    "最近小区老有人撬锁偷东西 大家出门锁好门",  # a warning about burglaries, no one at a door now
])
def test_damage_or_warning_is_not_urgent(text):
    assert not detect_urgency(text).urgent, detect_urgency(text)


@pytest.mark.parametrize("text, why", [
    ("楼上那人扬言要砍人 天天在群里骂", "hypothetical"),  # a threat of a future act
    ("他说再吵就拿刀砍人 你们物业管不管", "hypothetical"),
    ("上个月电梯卡在8楼和9楼中间 关了我半小时", "past"),
    ("前天旗杆被风吹得直晃 后来已经加固好了", "past"),
])
def test_threats_and_past_are_not_urgent(text, why):
    u = detect_urgency(text)
    assert not u.urgent, u
    assert why in {w for _, _, w in u.dismissed}


# Objects overhead described by their state, without "要掉了": urgent when people pass below.
@pytest.mark.parametrize("text", [
    "单元门顶上那块玻璃碎了一半 还卡在框里 人天天从底下进出",
    "5楼有扇窗户的合页断了 整扇窗只靠一个角挂着 正下面就是单元门口",
    "楼上阳台的花盆放在栏杆外面 风一吹就晃 底下是小孩玩的地方",
    "外墙的瓷砖鼓起来一大片 用手都能摸到空的 下面就是人行道",
    "3号楼门头的招牌一边的螺丝掉了 耷拉下来半截 人从下面走",
    "空调外机的架子锈穿了 机器往下沉了一截 楼下就是出入口",
    "大堂门口上面的雨棚玻璃裂成蜘蛛网了 还没掉 谁敢从下面过",
    "楼道窗户整个框子脱出来了 斜在外面 下面是自行车棚",
    "地库入口上方的吊顶板塌下来一块 还有好几块垂着 车照样进出",
    "东门门头上的大字掉了一个 剩下的也歪歪扭扭的 进出的人都在底下",
    "外墙保温板被风掀开一大块 挂在七八楼那晃荡",
])
def test_objects_hanging_over_people(text):
    u = detect_urgency(text)
    assert u.urgent and u.reason == "falling", u


@pytest.mark.parametrize("text", [
    "单元门上的玻璃贴纸掉了一半 挺难看的",
    "我家窗户玻璃裂了一道缝 冬天漏风",           # inside a home, nobody below
    "外墙瓷砖颜色不统一 看着很丑",
    "阳台晾衣架挂着好多衣服在那晃 底下的人别嫌滴水",
    "有人在1号楼底下拿弹弓打楼上的窗户 玻璃碎了两家",  # broken and fallen: vandalism, not a hanging pane
    "上个月门头的招牌耷拉下来 底下拉了警戒线 现在已经拆下来了",
    "万一雨棚玻璃裂开掉下来砸到底下的人谁负责",
    "有人把自行车锁在楼梯扶手上 一锁就是半年",     # 楼梯 is no lift
    "绿化带里的喷头坏了一直往外喷水",              # a sprinkler floods no home
])
def test_overhead_without_danger_now(text):
    assert not detect_urgency(text).urgent, detect_urgency(text)


@pytest.mark.parametrize("text", [
    "我外婆家那个老小区水管爆了 整栋楼停水两天 还是咱们这好",
    "我们公司的电梯今天困人了 吓死我了 还好不是我",
    "朋友家楼道着火了 看视频好吓人",
])
def test_danger_elsewhere_is_not_urgent(text):
    u = detect_urgency(text)
    assert not u.urgent and "elsewhere" in {w for _, _, w in u.dismissed}, u


def test_our_own_lift_after_the_property_company_is_urgent():
    assert detect_urgency("物业公司的人说电梯困人了 快来").urgent


def test_childhood_memory_is_past():
    assert not detect_urgency("小时候家里烧煤炉 冬天屋里全是烟").urgent
    assert detect_urgency("小时候住过这 现在楼道全是烟 着火了").urgent


@pytest.mark.parametrize("text, reason", [
    ("有个小孩被关在5栋1单元的电梯里 哭得撕心裂肺", "trapped"),  # an address between
    ("楼上没住人 水一直从天花板往下流 越流越大 联系不上业主", "flood"),
    ("一楼下水返上来了 一屋子脏水", "flood"),
    ("热水器进水管裂了 水在往外喷 阀门拧不动", "flood"),
    ("真的着火了 快来人", "fire"),  # "真的" reports, "真" imagines
    ("就现在 有人在停车场砸车窗掏东西 快叫保安", "violence"),  # a break-in going on
    ("正在有人撬隔壁的门！！8栋 快来", "violence"),
    ("楼下两个人打起来了 一个人头上在流血 还在打", "violence"),
    ("电梯到站不开门 我现在还在里面 拍门也没人应", "trapped"),
    ("楼道里的燃气管子让谁碰弯了 还有点呲呲的声音 味儿挺大", "gas"),
    ("北门那根路灯杆被台风吹到斜住 摇摇晃晃 下面就是人行道", "falling"),
    ("顶楼违建的铁皮棚被风吹松了 一块铁皮挂在边上晃来晃去 底下就是小孩玩的地方", "falling"),
    ("电梯卡在两层中间 我先生在里面 打了紧急按钮没人回", "trapped"),
    ("电梯里有人被关住了 在喊 我在外面听到的 11栋 快来人", "trapped"),
    ("电梯刚才急坠了一下停住了 里面一个送外卖的被关着 门打不开", "trapped"),
    ("厨房里好大一股煤气味 我没开火 阀门也关了 还是有味", "gas"),  # closed, and still smells
    ("电梯卡住了 里面是我室友跟一个送外卖的 敲门板喊 手机没信号", "trapped"),
    ("楼上卫生间往我家灌水 顺着灯线往下淌 电闸我已经拉了 人不在家", "flood"),
    ("5座電梯卡在兩層中間 我先生在裡面 打了緊急按鈕沒人回 快點!!", "trapped"),  # Traditional
    ("突然停电了 我爸用的呼吸机只有半小时电池 求求快来电", "life_support"),
    ("28楼电梯停了 我和我妈关在里面快二十分钟了 喊了没人理", "trapped"),
    ("救救 卡电梯里了 没人接警铃 空气闷", "trapped"),
    ("刚下楼就闻到一股怪味 像烧气没点着那种 从501那户门缝出来的", "gas"),
    ("燃气热水器冒黄火 屋里有股子怪味 我妈头晕恶心", "gas"),
    ("配电房里噼里啪啦 冒蓝光", "wires"),
    ("楼梯扶手带电 我摸了一下被麻了", "wires"),
    ("零下十几度 楼道里暖气管冻裂了 热水喷得到处都是", "flood"),
    ("有人在楼上往下扔东西 酒瓶子 砸在我脚边碎了 现在还在扔", "falling"),
    ("对面楼有个人坐在天台边上 腿挂在外面", "falling"),
    ("刚才电梯没到层就开门了 现在门还开着 下面是井道", "falling"),
    ("我听到楼上男的在打女的 女的一直在喊救命", "violence"),
    ("电梯一直上上下下不停 按什么都没用 里面两个老人吓坏了 现在还在里面", "trapped"),
    ("电梯关着个快递员 他给我打电话让我帮忙叫人", "trapped"),
    ("楼下饭店后厨门口那几个气罐在嘶嘶响 味好大", "gas"),
    ("楼下谁家着了 窗户往外喷火 我们楼上的下不去", "fire"),
    ("救命啊 家里发大水了 水从卫生间漫到卧室", "flood"),
    ("车棚顶被风吹翻了 一半挂在上面晃荡 底下停着车还有人在取车", "falling"),
    ("我家进人了 听到客厅有动静 我和孩子躲在卧室 不敢出声", "violence"),
    ("跳闸了 怎么都合不上 我妈在家用呼吸机 备用电池在闪红灯", "life_support"),
    ("那棵枯树被风吹得快倒了 正斜着压在儿童滑梯上方 下面还有小孩在玩", "falling"),
])
def test_water_and_people_now(text, reason):
    got = detect_urgency(text)
    assert got.urgent and got.reason == reason, got


@pytest.mark.parametrize("text", [
    "又是绿化浇水把我停的车浇得全是泥点子",  # watering is no flood
    "油烟大得跟着火了似的 呛得人直咳嗽",  # a simile
    "这消防栓让人拿铁链子给锁上了 真着火了谁开得开啊",
    "防火门一直开着 还拿砖头顶着",  # a brick props a door, it threatens no one
    "楼下嫌我家孩子走路声音大 拿棍子捅天花板",
    "刚才被关在电梯里，自己把门扒开爬出来的",  # out already
    "水表井里的阀门漏水 一直哗哗流 水费都算我们的",  # not in a home
    "昨晚有人在停车场砸车窗",
    "小区里老是有人在晚上偷电瓶 好几次了",  # a pattern of thefts, not one going on
    "楼下那排棕榈树好多枯叶挂着 麻烦安排修剪下",
    "大排档的烟全飘进泳池区 游个泳一身油味",  # cooking smoke
    "楼下嫌我家小孩跑 天天拿棍子敲我家地板",
    "楼下那户把住宅改成棋牌室了 挂着牌子营业",  # a shop sign, not a falling one
    "楼下的树好多虫子 吊着丝往下掉",
    "楼道里的消防水带让人剪了一截去浇菜",
    "修剪下来的树枝堆在跑道边上 孩子们拿来当剑打架",
    "门口那棵树结的果子熟了往下掉 一地烂果黏糊糊",
    "楼上漏水把我家泡了 俩人推来推去 我家顶棚都长毛了",  # mould: long ago
    "昨儿报的那个燃气味 燃气公司的人来过了 说没事",
    "有户人家把阳台往外接出去一截 铁架子悬在半空",
    "楼下说我家小孩跑步 天天拿棍子敲暖气管",
    "楼下说我家漏水泡了他天花板 物业说是楼上管道问题 三方踢皮球",
    "电题又坏了 天天爬楼腿都要断了",
    "电梯刚才突然往下掉了一截，吓得我腿软，现在都不敢坐了",  # no one inside now
    "楼道的水管冻裂了，楼梯上结了层冰",  # a repair, not a flood
    "电梯困人救援要另外交钱吗",
    "高空抛物天天有 今天又扔下来一袋垃圾",
    "隔壁装修完了人影都见不着",
    "热水器打不着火 是不是燃气压力不够",
    "我们这栋带电梯的 物业费一平米多少钱",
    "电梯超载铃一直响，里面就我一个人",
    "停电了！！电梯卡在那不动了 但是里面没人",
    "厨房下水堵了 水都漫出来了",  # a blocked drain, not a flood
    "这天热得人都要着火了",
    "我火大得很 物业打了八个电话都不接",
    "楼下信箱那排柜子全被撬开了 锁都是坏的",
    "对门大哥喝多了就来砸我家门 不是现在 是经常这样",
    "11号楼电梯困人那单可以关了 人早出来了 谢谢师傅",
    "六楼有人把电线从窗户吊下来给楼下的电瓶车充电 一到晚上就挂着",  # ev_charging, not falling
    "对面楼有人在阳台上用炭炉烤肉 一到下午就浓烟滚滚 我还以为着火了",
    "我报的那个煤气味 师傅来查过了说没事 单子帮我结了吧",
    "有人在單元門口餵流浪貓 現在十幾隻貓晚上打架叫春",  # cats, in Traditional
    "谁家的拖拉机天天停在单元门口 突突突开走还冒黑烟",  # exhaust
    "消防警报只有声音没有闪灯 我们聋人家里着火了都不知道",
    "上周停电 我爸的制氧机停了一晚上 以后能不能提前通知",  # past
])
def test_figures_of_speech_and_no_danger(text):
    assert not detect_urgency(text).urgent, detect_urgency(text)
